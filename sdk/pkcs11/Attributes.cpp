#include "kms/pkcs11/Attributes.hpp"

#include <cstring>
#include <vector>

namespace kms::pkcs11 {

namespace {

// The codes with which C_GetAttributeValue still fills in every attribute it can.
void checkPartial(CK_RV rv, CK_SLOT_ID slotId) {
  if (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID) return;
  Call::check(rv, "C_GetAttributeValue", slotId);
}

}  // namespace

Attributes Attributes::read(const Call& call, CK_SLOT_ID slotId, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                            std::initializer_list<CK_ATTRIBUTE_TYPE> types) {
  std::vector<CK_ATTRIBUTE> query;
  for (const auto type : types) query.push_back(CK_ATTRIBUTE{type, nullptr, 0});
  checkPartial(KMS_P11(call, C_GetAttributeValue, session, object, query.data(), CK_ULONG(query.size())), slotId);

  Attributes result;
  std::vector<CK_ATTRIBUTE> fetch;
  for (const auto& attribute : query) {
    if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) continue;
    auto& buffer = result.values_[attribute.type];
    buffer.resize(attribute.ulValueLen);
    if (attribute.ulValueLen > 0) fetch.push_back(CK_ATTRIBUTE{attribute.type, buffer.data(), attribute.ulValueLen});
  }
  if (fetch.empty()) return result;
  checkPartial(KMS_P11(call, C_GetAttributeValue, session, object, fetch.data(), CK_ULONG(fetch.size())), slotId);
  for (const auto& attribute : fetch) {
    if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
      result.values_.erase(attribute.type);
    } else {
      result.values_[attribute.type].resize(attribute.ulValueLen);
    }
  }
  return result;
}

const SecureBytes* Attributes::get(CK_ATTRIBUTE_TYPE type) const noexcept {
  const auto it = values_.find(type);
  return it == values_.end() ? nullptr : &it->second;
}

bool Attributes::flag(CK_ATTRIBUTE_TYPE type, bool fallback) const noexcept {
  const auto* value = get(type);
  if (value == nullptr || value->size() != sizeof(CK_BBOOL)) return fallback;
  return value->data()[0] != CK_FALSE;
}

CK_ULONG Attributes::ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG fallback) const noexcept {
  const auto* value = get(type);
  if (value == nullptr || value->size() != sizeof(CK_ULONG)) return fallback;
  CK_ULONG out = 0;
  std::memcpy(&out, value->data(), sizeof out);
  return out;
}

std::string Attributes::text(CK_ATTRIBUTE_TYPE type) const {
  const auto* value = get(type);
  if (value == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(value->data()), value->size());
}

std::size_t Attributes::length(CK_ATTRIBUTE_TYPE type) const noexcept {
  const auto* value = get(type);
  return value == nullptr ? 0 : value->size();
}

}  // namespace kms::pkcs11
