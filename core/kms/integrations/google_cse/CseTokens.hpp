#pragma once
// What a KACLS call's verified tokens say: who calls, and what Google authorized.
#include <string>

namespace kms::integrations::google_cse {

// The authentication token (the customer's identity provider).
struct CseIdentity {
  std::string user;   // kmsd's user: the jwt_user_claim of the token; the operations run as it
  std::string email;  // google_email when present, else email: what Google's token must name
};

// The authorization token (Google).
struct CseAuthorization {
  std::string email;
  std::string role;
  std::string resourceName;
  std::string perimeterId;  // empty when absent
  std::string spkiHash;     // Gmail: standard Base64 digest of the private key's public key
  std::string spkiHashAlgorithm;
};

}  // namespace kms::integrations::google_cse
