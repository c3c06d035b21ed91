#pragma once
// OIDC bearer tokens (JWT), Cosmian's [idp_auth] jwt_auth_provider.
//
// A token is accepted when: its "iss" is a configured provider's issuer; one of that
// provider's JWKS keys (the one its "kid" names, when it names one) verifies its signature
// with the key's own algorithm (RS256, ES256, HS256; never "none"); "exp" is present and not
// past; "nbf", when present, is not in the future (both with a small clock-skew allowance);
// "aud" holds one of the provider's audiences, when any are configured; and the user claim
// ("email" by default) is a non-empty string.
#include <Poco/JSON/Object.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kms/auth/Authenticator.hpp"
#include "kms/auth/JwksCache.hpp"
#include "kms/config/Config.hpp"

namespace kms::auth {

class JwtAuthenticator : public Authenticator {
 public:
  static constexpr std::chrono::seconds kClockSkew{60};

  JwtAuthenticator(const std::vector<config::JwtProvider>& providers, std::string userClaim,
                   std::chrono::seconds jwksMinRefresh = std::chrono::seconds(10));
  std::optional<std::string> authenticate(const Credentials& credentials) override;

  // A token that passed every check above: its user and all its claims, for the front ends
  // whose rules read more than the user (DKE's roles, CSE's resource names).
  struct Verified {
    std::string user;
    Poco::JSON::Object::Ptr claims;
  };
  // Verifies `jwt` as authenticate() does. Throws AuthenticationError (reason for the log).
  [[nodiscard]] Verified verify(const std::string& jwt);
  [[nodiscard]] std::string describe() const override;

 private:
  struct Provider {
    config::JwtProvider config;
    std::unique_ptr<JwksCache> keys;
  };

  std::vector<Provider> providers_;
  std::string userClaim_;
};

}  // namespace kms::auth
