#pragma once
// KMS_HASH_* values as the engine spells them for people ("SHA-256") and for configuration
// ("sha256"), and the PKCS#11 mechanisms that go with each.
#include <cstdint>
#include <string_view>

#include "kms/driver.h"
#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

class HashNames {
 public:
  // 0 when unknown.
  [[nodiscard]] static std::int32_t parse(std::string_view text) noexcept;
  // "SHA-256"; "hash #9" style text is not needed: unknown values give "unknown hash".
  [[nodiscard]] static std::string_view display(std::int32_t hash) noexcept;
  // Digest length in bytes; 0 when unknown.
  [[nodiscard]] static unsigned long digestLength(std::int32_t hash) noexcept;
  // CKM_SHA256, CKG_MGF1_SHA256, CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS; 0 when unknown
  // (CKM 0 is CKM_RSA_PKCS_KEY_PAIR_GEN, never a valid answer for these questions).
  [[nodiscard]] static CK_MECHANISM_TYPE digestMechanism(std::int32_t hash) noexcept;
  [[nodiscard]] static CK_RSA_PKCS_MGF_TYPE mgf(std::int32_t hash) noexcept;
  [[nodiscard]] static CK_MECHANISM_TYPE rsaPkcsSign(std::int32_t hash) noexcept;
  [[nodiscard]] static CK_MECHANISM_TYPE rsaPssSign(std::int32_t hash) noexcept;
};

}  // namespace kms::pkcs11
