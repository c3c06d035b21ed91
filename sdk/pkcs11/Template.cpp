#include "kms/pkcs11/Template.hpp"

#include <cstring>

namespace kms::pkcs11 {

Template& Template::addBool(CK_ATTRIBUTE_TYPE type, bool value) {
  const CK_BBOOL flag = value ? CK_TRUE : CK_FALSE;
  return addBytes(type, &flag, sizeof flag);
}

Template& Template::addUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
  std::uint8_t raw[sizeof value];
  std::memcpy(raw, &value, sizeof value);
  return addBytes(type, raw, sizeof raw);
}

Template& Template::addBytes(CK_ATTRIBUTE_TYPE type, const std::uint8_t* data, std::size_t size) {
  storage_.emplace_back(data, size);
  auto& stored = storage_.back();
  attributes_.push_back(CK_ATTRIBUTE{type, size == 0 ? nullptr : stored.data(), CK_ULONG(size)});
  return *this;
}

Template& Template::addText(CK_ATTRIBUTE_TYPE type, std::string_view text) {
  return addBytes(type, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

}  // namespace kms::pkcs11
