#pragma once
// The C++ copy of a kms_crypt_params, with the ABI's defaults applied: hash 0 = SHA-256,
// mgf_hash 0 = hash, tag_length 0 = 16, salt_length 0 = the digest length.
#include <cstdint>
#include <vector>

#include "kms/driver.h"

namespace kms::pkcs11 {

struct CryptParams {
  std::int32_t algorithm = 0;
  std::int32_t hash = KMS_HASH_SHA256;
  std::int32_t mgfHash = KMS_HASH_SHA256;
  std::vector<std::uint8_t> iv;
  std::vector<std::uint8_t> aad;
  std::uint32_t tagLength = 16;
  std::uint32_t saltLength = 0;

  // Throws Error(KMS_ERR_INVALID_ARGUMENT) for a missing or short struct.
  [[nodiscard]] static CryptParams from(const kms_crypt_params* params);
};

}  // namespace kms::pkcs11
