#include "kms/pkcs11/KeyFinder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "kms/pkcs11/Attributes.hpp"

namespace kms::pkcs11 {

namespace {

bool isKey(CK_OBJECT_CLASS objectClass) {
  return objectClass == CKO_SECRET_KEY || objectClass == CKO_PRIVATE_KEY || objectClass == CKO_PUBLIC_KEY;
}

std::vector<KeyObject> lookUp(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref) {
  if (auto cached = slot.cache().find(ref.cacheKey())) return *cached;
  Template match;
  if (ref.byId()) {
    match.addBytes(CKA_ID, ref.id.data(), ref.id.size());
  } else {
    match.addText(CKA_LABEL, ref.label);
  }
  auto objects = KeyFinder::classify(slot, session, KeyFinder::search(slot, session, match));
  slot.cache().store(ref.cacheKey(), objects);
  return objects;
}

}  // namespace

std::vector<KeyObject> KeyFinder::find(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref) {
  return lookUp(slot, session, ref);
}

KeyObject KeyFinder::select(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref,
                            std::initializer_list<CK_OBJECT_CLASS> wanted, const char* purpose) {
  auto objects = lookUp(slot, session, ref);
  for (const auto objectClass : wanted) {
    for (const auto& object : objects) {
      if (object.objectClass == objectClass) return object;
    }
  }
  // Named by the private label, wanted as public: the pair's public key is "<label>_pk".
  const bool wantsPublic = std::find(wanted.begin(), wanted.end(), CKO_PUBLIC_KEY) != wanted.end();
  const bool hasPrivate =
      std::any_of(objects.begin(), objects.end(), [](const KeyObject& o) { return o.objectClass == CKO_PRIVATE_KEY; });
  if (wantsPublic && hasPrivate && !ref.byId()) {
    KeyRef pair = ref;
    pair.label += "_pk";
    for (const auto& object : lookUp(slot, session, pair)) {
      if (object.objectClass == CKO_PUBLIC_KEY) return object;
    }
  }
  if (objects.empty()) {
    throw Error(KMS_ERR_NOT_FOUND, fmt::format("{} not found in slot {}", ref.describe(), slot.id()));
  }
  throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("{} in slot {} cannot be used to {} (it is a {})", ref.describe(),
                                                    slot.id(), purpose, className(objects.front().objectClass)));
}

std::vector<CK_OBJECT_HANDLE> KeyFinder::search(Slot& slot, CK_SESSION_HANDLE session, Template& match) {
  const auto& call = slot.call();
  KMS_P11_CHECK(call, slot.id(), C_FindObjectsInit, session, match.data(), match.size());
  std::vector<CK_OBJECT_HANDLE> found;
  try {
    std::vector<CK_OBJECT_HANDLE> batch(slot.settings().findBatch);
    for (;;) {
      CK_ULONG count = 0;
      KMS_P11_CHECK(call, slot.id(), C_FindObjects, session, batch.data(), CK_ULONG(batch.size()), &count);
      found.insert(found.end(), batch.begin(), batch.begin() + static_cast<std::ptrdiff_t>(count));
      if (count < batch.size()) break;
    }
  } catch (...) {
    (void)KMS_P11(call, C_FindObjectsFinal, session);
    throw;
  }
  KMS_P11_CHECK(call, slot.id(), C_FindObjectsFinal, session);
  return found;
}

std::vector<KeyObject> KeyFinder::classify(Slot& slot, CK_SESSION_HANDLE session,
                                           const std::vector<CK_OBJECT_HANDLE>& handles) {
  std::vector<KeyObject> objects;
  for (const auto handle : handles) {
    KeyObject object;
    object.handle = handle;
    CK_ATTRIBUTE query[] = {{CKA_CLASS, &object.objectClass, sizeof object.objectClass},
                            {CKA_KEY_TYPE, &object.keyType, sizeof object.keyType}};
    const CK_RV rv = KMS_P11(slot.call(), C_GetAttributeValue, session, handle, query, 2UL);
    if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID) Call::check(rv, "C_GetAttributeValue", slot.id());
    if (query[0].ulValueLen == CK_UNAVAILABLE_INFORMATION || !isKey(object.objectClass)) continue;
    objects.push_back(object);
  }
  return objects;
}

const char* KeyFinder::className(CK_OBJECT_CLASS objectClass) noexcept {
  switch (objectClass) {
    case CKO_SECRET_KEY:
      return "secret key";
    case CKO_PRIVATE_KEY:
      return "private key";
    case CKO_PUBLIC_KEY:
      return "public key";
    default:
      return "non-key object";
  }
}

}  // namespace kms::pkcs11
