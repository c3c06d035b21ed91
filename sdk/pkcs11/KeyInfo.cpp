#include "kms/pkcs11/KeyInfo.hpp"

#include <algorithm>
#include <cstring>

#include "kms/pkcs11/Attributes.hpp"

namespace kms::pkcs11 {

std::optional<KeyInfo> KeyInfo::read(Slot& slot, CK_SESSION_HANDLE session, const KeyObject& object) {
  KeyInfo info;
  info.slot = slot.id();
  if (object.objectClass == CKO_SECRET_KEY && object.keyType == CKK_AES) {
    info.keyType = KMS_KEY_AES;
  } else if (object.objectClass == CKO_PRIVATE_KEY && object.keyType == CKK_RSA) {
    info.keyType = KMS_KEY_RSA_PRIVATE;
  } else if (object.objectClass == CKO_PUBLIC_KEY && object.keyType == CKK_RSA) {
    info.keyType = KMS_KEY_RSA_PUBLIC;
  } else {
    return std::nullopt;
  }
  const auto attributes =
      Attributes::read(slot.call(), slot.id(), session, object.handle,
                       {CKA_LABEL, CKA_ID, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN,
                        CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_VALUE_LEN, CKA_MODULUS_BITS, CKA_MODULUS});
  info.label = attributes.text(CKA_LABEL);
  if (const auto* id = attributes.get(CKA_ID)) info.id.assign(id->data(), id->data() + id->size());
  if (info.keyType == KMS_KEY_AES) {
    info.bits = static_cast<std::uint32_t>(attributes.ulong(CKA_VALUE_LEN, 0) * 8);
  } else {
    // Private keys carry CKA_MODULUS but not always CKA_MODULUS_BITS.
    const auto bits = attributes.ulong(CKA_MODULUS_BITS, 0);
    info.bits = static_cast<std::uint32_t>(bits != 0 ? bits : attributes.length(CKA_MODULUS) * 8);
  }
  if (info.keyType == KMS_KEY_RSA_PUBLIC) {
    info.flags = KMS_KEY_EXTRACTABLE;  // a public key is always exportable
  } else {
    if (attributes.flag(CKA_SENSITIVE, true)) info.flags |= KMS_KEY_SENSITIVE;
    if (attributes.flag(CKA_EXTRACTABLE, false)) info.flags |= KMS_KEY_EXTRACTABLE;
  }
  const std::pair<CK_ATTRIBUTE_TYPE, std::uint32_t> uses[] = {
      {CKA_ENCRYPT, KMS_USE_ENCRYPT}, {CKA_DECRYPT, KMS_USE_DECRYPT}, {CKA_SIGN, KMS_USE_SIGN},
      {CKA_VERIFY, KMS_USE_VERIFY},   {CKA_WRAP, KMS_USE_WRAP},       {CKA_UNWRAP, KMS_USE_UNWRAP}};
  for (const auto& [attribute, use] : uses) {
    if (attributes.flag(attribute, false)) info.usage |= use;
  }
  return info;
}

void KeyInfo::fill(kms_key_info* out) const {
  if (out == nullptr || out->struct_size < sizeof(kms_key_info)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_key_info missing or struct_size too small");
  }
  out->struct_size = sizeof(kms_key_info);
  out->key_type = keyType;
  out->bits = bits;
  out->flags = flags;
  out->usage = usage;
  out->slot_id = slot;
  const std::size_t labelLength = std::min(label.size(), std::size_t(KMS_LABEL_SIZE - 1));
  std::memset(out->label, 0, sizeof out->label);
  std::memcpy(out->label, label.data(), labelLength);
  const std::size_t idLength = std::min(id.size(), std::size_t(KMS_ID_SIZE));
  std::memset(out->id, 0, sizeof out->id);
  if (idLength > 0) std::memcpy(out->id, id.data(), idLength);
  out->id_length = static_cast<std::uint32_t>(idLength);
}

}  // namespace kms::pkcs11
