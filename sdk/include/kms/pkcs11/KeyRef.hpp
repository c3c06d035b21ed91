#pragma once
// A key named by the host: by CKA_ID when an id is given, else by CKA_LABEL. The C++ copy of a
// kms_key_ref, taken at the ABI boundary so that nothing below keeps pointers into host memory.
#include <cstdint>
#include <string>
#include <vector>

#include "kms/driver.h"

namespace kms::pkcs11 {

struct KeyRef {
  std::uint64_t slot = 0;
  std::string label;
  std::vector<std::uint8_t> id;

  // Throws Error(KMS_ERR_INVALID_ARGUMENT) for a short struct or one with neither id nor label.
  [[nodiscard]] static KeyRef from(const kms_key_ref* ref);
  [[nodiscard]] bool byId() const noexcept { return !id.empty(); }
  // "key 'label'" or "key id 0a1b2c"; for messages (labels and ids are not secrets).
  [[nodiscard]] std::string describe() const;
  // The handle cache key.
  [[nodiscard]] std::string cacheKey() const;
};

}  // namespace kms::pkcs11
