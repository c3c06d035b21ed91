#pragma once
// Who calls the DKE service, from a verified Entra ID token.
#include <string>
#include <vector>

namespace kms::integrations::ms_dke {

struct DkeCaller {
  std::string user;                // the kmsd user (jwt_user_claim): whose rights the operations check
  std::string email;               // "email", else "upn"; empty when the token has neither
  std::vector<std::string> roles;  // "roles" (Entra ID app roles)
};

}  // namespace kms::integrations::ms_dke
