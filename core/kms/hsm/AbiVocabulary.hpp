#pragma once
// The one place where kmsd's core vocabulary meets the driver ABI's (sdk/include/kms/driver.h):
// mechanisms, digests, key usage, key protection, key types and export formats, each translated
// both ways where both ways are needed. DriverInstance builds and reads the ABI structs with it;
// the rest of kmsd speaks only the core types (Mechanism, keys::Hash, KeyUsage, KeyProtection,
// KeyType, ExportFormat).
#include <cstdint>
#include <optional>

#include "kms/hsm/ExportFormat.hpp"
#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyProtection.hpp"
#include "kms/hsm/KeyUsage.hpp"
#include "kms/hsm/Mechanism.hpp"
#include "kms/keys/CryptoKey.hpp"

namespace kms::hsm {

class AbiVocabulary {
 public:
  [[nodiscard]] static std::int32_t algorithm(Mechanism mechanism) noexcept;        // KMS_ALG_*, 0 for None
  [[nodiscard]] static std::int32_t hash(std::optional<keys::Hash> hash) noexcept;  // KMS_HASH_*, 0 for none
  [[nodiscard]] static std::uint32_t usage(KeyUsage usage) noexcept;                // KMS_USE_* bits
  [[nodiscard]] static KeyUsage usageFromAbi(std::uint32_t bits) noexcept;          // unknown bits dropped
  [[nodiscard]] static std::uint32_t flags(KeyProtection protection) noexcept;      // KMS_KEY_SENSITIVE|...
  [[nodiscard]] static KeyProtection protectionFromAbi(std::uint32_t flags) noexcept;
  [[nodiscard]] static std::int32_t keyType(KeyType type) noexcept;  // KMS_KEY_*, 0 for Unknown
  [[nodiscard]] static KeyType keyTypeFromAbi(std::int32_t type) noexcept;
  [[nodiscard]] static std::int32_t format(ExportFormat format) noexcept;  // KMS_FORMAT_*
};

}  // namespace kms::hsm
