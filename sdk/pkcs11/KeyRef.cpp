#include "kms/pkcs11/KeyRef.hpp"

#include <fmt/format.h>

#include "kms/pkcs11/Error.hpp"

namespace kms::pkcs11 {

namespace {

std::string hex(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (const auto b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

KeyRef KeyRef::from(const kms_key_ref* ref) {
  if (ref == nullptr || ref->struct_size < sizeof(kms_key_ref)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_key_ref missing or struct_size too small");
  }
  KeyRef out;
  out.slot = ref->slot_id;
  if (ref->id_length > 0) {
    if (ref->id == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_key_ref: id_length without id");
    out.id.assign(ref->id, ref->id + ref->id_length);
  }
  if (ref->label != nullptr) out.label = ref->label;
  if (out.id.empty() && out.label.empty()) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_key_ref names no key (neither id nor label)");
  }
  return out;
}

std::string KeyRef::describe() const {
  return byId() ? fmt::format("key id {}", hex(id)) : fmt::format("key '{}'", label);
}

std::string KeyRef::cacheKey() const {
  return byId() ? "i:" + hex(id) : "l:" + label;
}

}  // namespace kms::pkcs11
