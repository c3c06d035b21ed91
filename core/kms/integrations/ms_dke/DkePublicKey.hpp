#pragma once
// The RSA public key DKE publishes for a key name: its modulus and exponent, and the UID of the
// private key that decrypts (the {keyId} of the key's URL).
#include <cstdint>
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::ms_dke {

struct DkePublicKey {
  std::string privateKeyUid;
  SecureBytes modulus;  // big-endian, no leading zero byte
  std::uint32_t exponent = 0;
};

}  // namespace kms::integrations::ms_dke
