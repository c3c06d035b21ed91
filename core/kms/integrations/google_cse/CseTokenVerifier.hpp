#pragma once
// The two JWTs of a KACLS call (Google's "Encrypt & decrypt data" guide):
// - the authentication token, from the customer's identity provider: a configured
//   jwt_auth_provider (issuer, signature, expiry, audiences) verifies it;
// - the authorization token, from Google: an issuer of [google_cse_config] (Google's by
//   default) signed it with a key of its JWKS, its audience is "cse-authorization", its
//   kacls_url is this KACLS, it names a resource (at most 128 bytes), an email, and one of the
//   roles the operation allows; and its email must be inside the perimeter (CsePerimeter).
// When a call carries both, the emails must match without regard to case (the authentication
// token's google_email claim, when present, else its email). Failures throw CseRefusal: 401 for
// a token that does not verify, 403 for verified tokens that do not permit the call; the
// reason goes to the log with the peer, never to the caller.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "kms/auth/JwtAuthenticator.hpp"
#include "kms/config/Config.hpp"
#include "kms/integrations/google_cse/CsePerimeter.hpp"
#include "kms/integrations/google_cse/CseTokens.hpp"

namespace kms::integrations::google_cse {

class CseTokenVerifier {
 public:
  static constexpr std::string_view kAudience = "cse-authorization";
  static constexpr std::size_t kMaxResourceName = 128;

  // Google's issuers of authorization tokens, one per Workspace application.
  [[nodiscard]] static std::vector<std::string> googleIssuers();
  // Google publishes each issuer's keys at its service-account JWKS.
  [[nodiscard]] static std::string googleJwksUri(const std::string& issuer);

  // A KACLS URL as kmsd compares them (kacls_url, original_kacls_url): without trailing slashes.
  [[nodiscard]] static std::string normalizedUrl(std::string url);

  // `kaclsUrl`: this KACLS (kms_public_url + /google_cse), without a trailing slash.
  CseTokenVerifier(const config::Config& config, std::string kaclsUrl);

  [[nodiscard]] CseIdentity authenticate(const std::string& token, const std::string& peer);
  [[nodiscard]] CseAuthorization authorize(const std::string& token, std::initializer_list<std::string_view> roles,
                                           const std::string& peer);
  // Both tokens of a call, and their emails matched.
  [[nodiscard]] std::pair<CseIdentity, CseAuthorization> verify(const std::string& authentication,
                                                                const std::string& authorization,
                                                                std::initializer_list<std::string_view> roles,
                                                                const std::string& peer);

 private:
  auth::JwtAuthenticator identity_;
  auth::JwtAuthenticator google_;
  std::string kaclsUrl_;
  CsePerimeter perimeter_;
};

}  // namespace kms::integrations::google_cse
