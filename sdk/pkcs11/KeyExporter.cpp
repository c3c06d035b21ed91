#include "kms/pkcs11/KeyExporter.hpp"

#include <fmt/format.h>

#include "kms/pkcs11/Attributes.hpp"
#include "kms/pkcs11/KeyFinder.hpp"
#include "kms/pkcs11/RsaDer.hpp"

namespace kms::pkcs11 {

namespace {

ByteView view(const Attributes& attributes, CK_ATTRIBUTE_TYPE type, const KeyRef& ref, CK_SLOT_ID slot) {
  const auto* value = attributes.get(type);
  if (value == nullptr || value->empty()) {
    throw Error(KMS_ERR_PERMISSION_DENIED,
                fmt::format("{} in slot {}: the token does not reveal attribute 0x{:x}", ref.describe(), slot, type));
  }
  return value->view();
}

void requireExportable(const Attributes& attributes, const KeyRef& ref, CK_SLOT_ID slot) {
  if (attributes.flag(CKA_SENSITIVE, true)) {
    throw Error(KMS_ERR_PERMISSION_DENIED,
                fmt::format("{} in slot {} is sensitive: it cannot be exported", ref.describe(), slot));
  }
  if (!attributes.flag(CKA_EXTRACTABLE, false)) {
    throw Error(KMS_ERR_PERMISSION_DENIED,
                fmt::format("{} in slot {} is not extractable: it cannot be exported", ref.describe(), slot));
  }
}

}  // namespace

SecureBytes KeyExporter::exportKey(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref, std::int32_t format) {
  const auto& call = slot.call();
  // SPKI asks for a public key: the public object of a pair named by id, before the private.
  const auto object =
      format == KMS_FORMAT_SPKI
          ? KeyFinder::select(slot, session, ref, {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY}, "export a public key")
          : KeyFinder::select(slot, session, ref, {CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}, "export");

  if (object.objectClass == CKO_SECRET_KEY) {
    if (format != KMS_FORMAT_RAW) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, "a secret key exports in raw format only (KMS_FORMAT_RAW)");
    }
    // Flags first: reading CKA_VALUE of a sensitive key must not even be attempted.
    const auto flags = Attributes::read(call, slot.id(), session, object.handle, {CKA_SENSITIVE, CKA_EXTRACTABLE});
    requireExportable(flags, ref, slot.id());
    const auto value = Attributes::read(call, slot.id(), session, object.handle, {CKA_VALUE});
    const auto bytes = view(value, CKA_VALUE, ref, slot.id());
    return SecureBytes(bytes.data(), bytes.size());
  }
  if (object.keyType != CKK_RSA) {
    throw Error(KMS_ERR_NOT_SUPPORTED, fmt::format("{} in slot {} is not an RSA key", ref.describe(), slot.id()));
  }
  if (object.objectClass == CKO_PUBLIC_KEY || format == KMS_FORMAT_SPKI) {
    const auto attributes =
        Attributes::read(call, slot.id(), session, object.handle, {CKA_MODULUS, CKA_PUBLIC_EXPONENT});
    return RsaDer::publicKey(view(attributes, CKA_MODULUS, ref, slot.id()),
                             view(attributes, CKA_PUBLIC_EXPONENT, ref, slot.id()), format);
  }
  if (format != KMS_FORMAT_PKCS1 && format != KMS_FORMAT_PKCS8) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "an RSA private key exports as PKCS#1, PKCS#8 or (its public part) SPKI");
  }
  const auto flags = Attributes::read(call, slot.id(), session, object.handle, {CKA_SENSITIVE, CKA_EXTRACTABLE});
  requireExportable(flags, ref, slot.id());
  const auto a = Attributes::read(call, slot.id(), session, object.handle,
                                  {CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
                                   CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT});
  const auto id = slot.id();
  return RsaDer::privateKey(
      {view(a, CKA_MODULUS, ref, id), view(a, CKA_PUBLIC_EXPONENT, ref, id), view(a, CKA_PRIVATE_EXPONENT, ref, id),
       view(a, CKA_PRIME_1, ref, id), view(a, CKA_PRIME_2, ref, id), view(a, CKA_EXPONENT_1, ref, id),
       view(a, CKA_EXPONENT_2, ref, id), view(a, CKA_COEFFICIENT, ref, id)},
      format);
}

}  // namespace kms::pkcs11
