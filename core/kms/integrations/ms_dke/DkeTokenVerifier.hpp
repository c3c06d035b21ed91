#pragma once
// The bearer token of a DKE call: a JWT of a configured jwt_auth_provider (issuer, signature by
// the provider's JWKS, expiry, the provider's audiences), which must moreover be meant for
// Azure RMS (audience https://aadrm.com): a token another service received cannot decrypt here.
#include <string>
#include <vector>

#include "kms/auth/JwtAuthenticator.hpp"
#include "kms/config/Config.hpp"
#include "kms/integrations/ms_dke/DkeCaller.hpp"

namespace kms::integrations::ms_dke {

class DkeTokenVerifier {
 public:
  static constexpr std::string_view kAudience = "https://aadrm.com";

  DkeTokenVerifier(const std::vector<config::JwtProvider>& providers, std::string userClaim);

  // `authorization`: the Authorization header (empty when absent). Throws DkeRefusal(401);
  // the reason goes to the log with `peer`, never to the caller.
  [[nodiscard]] DkeCaller verify(const std::string& authorization, const std::string& peer);

 private:
  auth::JwtAuthenticator jwt_;
};

}  // namespace kms::integrations::ms_dke
