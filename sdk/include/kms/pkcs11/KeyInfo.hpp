#pragma once
// What the host learns about a key (kms_key_info), read from a key object's attributes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kms/driver.h"
#include "kms/pkcs11/KeyObject.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

struct KeyInfo {
  std::int32_t keyType = 0;  // KMS_KEY_*
  std::uint32_t bits = 0;
  std::uint32_t flags = 0;
  std::uint32_t usage = 0;
  std::uint64_t slot = 0;
  std::string label;
  std::vector<std::uint8_t> id;

  // std::nullopt for keys kmsd does not handle (EC, DES, generic secrets...).
  [[nodiscard]] static std::optional<KeyInfo> read(Slot& slot, CK_SESSION_HANDLE session, const KeyObject& object);
  // Writes the members the host's struct covers; the label is cut to KMS_LABEL_SIZE - 1 bytes
  // and the id to KMS_ID_SIZE. Throws Error(KMS_ERR_INVALID_ARGUMENT) for a short struct.
  void fill(kms_key_info* out) const;
};

}  // namespace kms::pkcs11
