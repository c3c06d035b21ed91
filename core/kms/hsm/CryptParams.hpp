#pragma once
// Parameters of encrypt/decrypt/wrap/unwrap/sign (kms_crypt_params in C++ types).
#include <cstdint>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::hsm {

struct CryptParams {
  std::int32_t algorithm = 0;  // KMS_ALG_*
  std::int32_t hash = 0;       // KMS_HASH_*, OAEP/PSS/sign digest
  std::int32_t mgfHash = 0;    // KMS_HASH_*, 0 = same as hash
  kms::SecureBytes iv;
  std::uint32_t tagLength = 16;
  kms::SecureBytes aad;
  std::uint32_t saltLength = 0;
};

}  // namespace kms::hsm
