#pragma once
// The named quirks of a PKCS#11 library, the contract between configuration, the per-model
// drivers and docs/drivers/<model>.md. A model's descriptor sets its defaults; `open`
// settings override them. An unknown name or a bad value is refused with
// KMS_ERR_INVALID_ARGUMENT naming the setting, so that a typo never goes unnoticed.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kms/driver.h"

namespace kms::pkcs11 {

class Settings {
 public:
  // Bytes per C_Encrypt/C_Decrypt call; 0 = unlimited. Larger AES-GCM inputs go through
  // C_*Update in chunks; larger inputs to single-part mechanisms (RSA) are refused.
  std::uint64_t maxDataChunk = 0;
  // ulMaxObjectCount per C_FindObjects call.
  std::uint32_t findBatch = 64;
  // Never call C_Finalize (nor dlclose): the library is initialised once per process.
  bool neverFinalize = false;
  // Sessions per slot; callers beyond it wait for a free session.
  std::uint32_t sessionPoolSize = 8;
  // Log every PKCS#11 call (name, CK_RV, duration) at KMS_LOG_TRACE.
  bool trace = false;
  // KMS_HASH_* the token accepts for RSA-OAEP (hash and MGF1); others are refused up front.
  std::set<std::int32_t> oaepHashes = {KMS_HASH_SHA1, KMS_HASH_SHA224, KMS_HASH_SHA256, KMS_HASH_SHA384,
                                       KMS_HASH_SHA512};
  // CK_GCM_PARAMS without ulIvBits (libraries built from the PKCS#11 2.40 specification text).
  bool gcmLegacyParams = false;
  // CKM_AES_KEY_WRAP_PAD C_WrapKey is RFC 5649 only for inputs of whole 8-byte blocks
  // (SoftHSM2 2.6 zero-pads other lengths first): refuse those up front.
  bool kwpWholeBlocksOnly = false;

  // Not a setting: the model's display name ("SoftHSM2"), for messages about what it lacks.
  std::string model;

  // Applies one setting; throws Error(KMS_ERR_INVALID_ARGUMENT) naming it when unknown or bad.
  void apply(std::string_view name, std::string_view value);
  [[nodiscard]] static const std::vector<std::string>& names();
  // "SHA-1, SHA-256": for messages.
  [[nodiscard]] std::string oaepHashList() const;
};

}  // namespace kms::pkcs11
