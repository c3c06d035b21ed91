#include "kms/pkcs11/Signer.hpp"

#include <algorithm>

#include "kms/pkcs11/Cipher.hpp"
#include "kms/pkcs11/KeyFinder.hpp"
#include "kms/pkcs11/Mechanism.hpp"
#include "kms/pkcs11/TwoCall.hpp"

namespace kms::pkcs11 {

namespace {

KeyObject signingKey(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref) {
  const auto key = KeyFinder::select(slot, session, ref, {CKO_PRIVATE_KEY}, "sign");
  if (key.keyType != CKK_RSA) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, ref.describe() + " is not an RSA key");
  }
  return key;
}

}  // namespace

SecureBytes Signer::sign(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref, const CryptParams& params,
                         ByteView data) {
  Mechanism mechanism(slot, Operation::Sign, params);
  const auto key = signingKey(slot, session, ref);
  const auto& call = slot.call();
  const auto id = slot.id();
  const auto length = Cipher::modulusBytes(slot, session, key.handle);
  KMS_P11_CHECK(call, id, C_SignInit, session, mechanism.get(), key.handle);
  auto* bytes = const_cast<CK_BYTE*>(data.data());
  const auto chunk = slot.settings().maxDataChunk;
  SecureBytes signature;
  if (chunk == 0 || data.size() <= chunk) {
    TwoCall::append(signature, length, "C_Sign", id, [&](CK_BYTE* o, CK_ULONG* l) {
      return KMS_P11(call, C_Sign, session, bytes, CK_ULONG(data.size()), o, l);
    });
    return signature;
  }
  for (std::size_t offset = 0; offset < data.size(); offset += chunk) {
    const auto part = static_cast<CK_ULONG>(std::min<std::uint64_t>(chunk, data.size() - offset));
    KMS_P11_CHECK(call, id, C_SignUpdate, session, bytes + offset, part);
  }
  TwoCall::append(signature, length, "C_SignFinal", id,
                  [&](CK_BYTE* o, CK_ULONG* l) { return KMS_P11(call, C_SignFinal, session, o, l); });
  return signature;
}

std::uint64_t Signer::bound(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref, const CryptParams& params) {
  Mechanism mechanism(slot, Operation::Sign, params);
  return Cipher::modulusBytes(slot, session, signingKey(slot, session, ref).handle);
}

}  // namespace kms::pkcs11
