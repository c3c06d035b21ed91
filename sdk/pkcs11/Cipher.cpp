#include "kms/pkcs11/Cipher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "kms/pkcs11/Attributes.hpp"
#include "kms/pkcs11/KeyFinder.hpp"
#include "kms/pkcs11/Template.hpp"
#include "kms/pkcs11/TwoCall.hpp"

namespace kms::pkcs11 {

namespace {

bool forward(Operation operation) {
  return operation == Operation::Encrypt || operation == Operation::Wrap;
}

const char* purpose(Operation operation) {
  switch (operation) {
    case Operation::Encrypt:
      return "encrypt";
    case Operation::Decrypt:
      return "decrypt";
    case Operation::Wrap:
      return "wrap";
    case Operation::Unwrap:
      return "unwrap";
    default:
      return "sign";
  }
}

KeyObject keyFor(Slot& slot, CK_SESSION_HANDLE session, Operation operation, const KeyRef& ref, bool symmetric) {
  const auto object =
      symmetric ? KeyFinder::select(slot, session, ref, {CKO_SECRET_KEY}, purpose(operation))
                : KeyFinder::select(slot, session, ref, {forward(operation) ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY},
                                    purpose(operation));
  const CK_KEY_TYPE expected = symmetric ? CKK_AES : CKK_RSA;
  if (object.keyType != expected) {
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("{} in slot {} is not an {} key", ref.describe(), slot.id(), symmetric ? "AES" : "RSA"));
  }
  return object;
}

SecureBytes keyWrap(Slot& slot, CK_SESSION_HANDLE session, Mechanism& mechanism, CK_OBJECT_HANDLE key, ByteView input) {
  const auto& call = slot.call();
  Template temporary;
  temporary.addUlong(CKA_CLASS, CKO_SECRET_KEY)
      .addUlong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .addBool(CKA_TOKEN, false)
      .addBool(CKA_PRIVATE, slot.loggedIn())
      .addBool(CKA_SENSITIVE, true)
      .addBool(CKA_EXTRACTABLE, true)
      .addBytes(CKA_VALUE, input.data(), input.size());
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  KMS_P11_CHECK(call, slot.id(), C_CreateObject, session, temporary.data(), temporary.size(), &object);
  SecureBytes out;
  try {
    TwoCall::append(out, (input.size() + 7) / 8 * 8 + 8, "C_WrapKey", slot.id(), [&](CK_BYTE* o, CK_ULONG* l) {
      return KMS_P11(call, C_WrapKey, session, mechanism.get(), key, object, o, l);
    });
  } catch (...) {
    (void)KMS_P11(call, C_DestroyObject, session, object);
    throw;
  }
  (void)KMS_P11(call, C_DestroyObject, session, object);
  return out;
}

SecureBytes keyUnwrap(Slot& slot, CK_SESSION_HANDLE session, Mechanism& mechanism, CK_OBJECT_HANDLE key,
                      ByteView input) {
  const auto& call = slot.call();
  Template temporary;
  temporary.addUlong(CKA_CLASS, CKO_SECRET_KEY)
      .addUlong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
      .addBool(CKA_TOKEN, false)
      .addBool(CKA_PRIVATE, slot.loggedIn())
      .addBool(CKA_SENSITIVE, false)
      .addBool(CKA_EXTRACTABLE, true);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  KMS_P11_CHECK(call, slot.id(), C_UnwrapKey, session, mechanism.get(), key, const_cast<CK_BYTE*>(input.data()),
                CK_ULONG(input.size()), temporary.data(), temporary.size(), &object);
  try {
    const auto value = Attributes::read(call, slot.id(), session, object, {CKA_VALUE});
    const auto* bytes = value.get(CKA_VALUE);
    if (bytes == nullptr) throw Error(KMS_ERR_DEVICE_ERROR, "the token did not reveal the unwrapped key value");
    SecureBytes out(bytes->data(), bytes->size());
    (void)KMS_P11(call, C_DestroyObject, session, object);
    return out;
  } catch (...) {
    (void)KMS_P11(call, C_DestroyObject, session, object);
    throw;
  }
}

SecureBytes crypt(Slot& slot, CK_SESSION_HANDLE session, bool encrypt, Mechanism& mechanism, CK_OBJECT_HANDLE key,
                  ByteView input, std::size_t guess) {
  const auto& call = slot.call();
  const auto id = slot.id();
  const auto chunk = slot.settings().maxDataChunk;
  const bool split = chunk != 0 && input.size() > chunk;
  if (split && !mechanism.multiPart()) {
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("input of {} bytes exceeds max_data_chunk ({}) of slot {}, and {} is single-part",
                            input.size(), chunk, id, mechanism.name()));
  }
  if (encrypt) {
    KMS_P11_CHECK(call, id, C_EncryptInit, session, mechanism.get(), key);
  } else {
    KMS_P11_CHECK(call, id, C_DecryptInit, session, mechanism.get(), key);
  }
  auto* data = const_cast<CK_BYTE*>(input.data());
  SecureBytes out;
  if (!split) {
    TwoCall::append(out, guess, encrypt ? "C_Encrypt" : "C_Decrypt", id, [&](CK_BYTE* o, CK_ULONG* l) {
      return encrypt ? KMS_P11(call, C_Encrypt, session, data, CK_ULONG(input.size()), o, l)
                     : KMS_P11(call, C_Decrypt, session, data, CK_ULONG(input.size()), o, l);
    });
    return out;
  }
  // Multi-part: a failing update or final terminates the operation on the token.
  for (std::size_t offset = 0; offset < input.size(); offset += chunk) {
    const auto part = static_cast<CK_ULONG>(std::min<std::uint64_t>(chunk, input.size() - offset));
    TwoCall::append(out, part + 32, encrypt ? "C_EncryptUpdate" : "C_DecryptUpdate", id, [&](CK_BYTE* o, CK_ULONG* l) {
      return encrypt ? KMS_P11(call, C_EncryptUpdate, session, data + offset, part, o, l)
                     : KMS_P11(call, C_DecryptUpdate, session, data + offset, part, o, l);
    });
  }
  TwoCall::append(out, guess, encrypt ? "C_EncryptFinal" : "C_DecryptFinal", id, [&](CK_BYTE* o, CK_ULONG* l) {
    return encrypt ? KMS_P11(call, C_EncryptFinal, session, o, l) : KMS_P11(call, C_DecryptFinal, session, o, l);
  });
  return out;
}

}  // namespace

std::uint64_t Cipher::modulusBytes(Slot& slot, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) {
  const auto attributes = Attributes::read(slot.call(), slot.id(), session, key, {CKA_MODULUS});
  const auto length = attributes.length(CKA_MODULUS);
  return length != 0 ? length : 512;  // 4096-bit: the largest modulus we create
}

SecureBytes Cipher::run(Slot& slot, CK_SESSION_HANDLE session, Operation operation, const KeyRef& ref,
                        const CryptParams& params, ByteView input) {
  Mechanism mechanism(slot, operation, params);
  const auto key = keyFor(slot, session, operation, ref, mechanism.symmetric());
  if (mechanism.keyWrap()) {
    if (input.empty()) throw Error(KMS_ERR_INVALID_ARGUMENT, "nothing to wrap or unwrap");
    if (operation == Operation::Wrap && slot.settings().kwpWholeBlocksOnly && input.size() % 8 != 0) {
      throw Error(KMS_ERR_NOT_SUPPORTED,
                  fmt::format("{} of {} bytes is not supported by the token in slot {} ({} wraps whole 8-byte "
                              "blocks only; use AES-GCM for other lengths)",
                              mechanism.name(), input.size(), slot.id(), slot.settings().model));
    }
    return operation == Operation::Wrap ? keyWrap(slot, session, mechanism, key.handle, input)
                                        : keyUnwrap(slot, session, mechanism, key.handle, input);
  }
  std::size_t guess = 0;
  if (mechanism.symmetric()) {
    if (!forward(operation) && input.size() < params.tagLength) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, "AES-GCM input is shorter than its tag");
    }
    guess = forward(operation) ? input.size() + params.tagLength : input.size();
  } else {
    guess = modulusBytes(slot, session, key.handle);
  }
  return crypt(slot, session, forward(operation), mechanism, key.handle, input, guess);
}

std::uint64_t Cipher::bound(Slot& slot, CK_SESSION_HANDLE session, Operation operation, const KeyRef& ref,
                            const CryptParams& params, std::uint64_t inputLength) {
  Mechanism mechanism(slot, operation, params);
  const auto key = keyFor(slot, session, operation, ref, mechanism.symmetric());
  if (mechanism.keyWrap()) {
    return operation == Operation::Wrap ? (inputLength + 7) / 8 * 8 + 8 : inputLength;
  }
  if (mechanism.symmetric()) {
    if (forward(operation)) return inputLength + params.tagLength;
    return inputLength > params.tagLength ? inputLength - params.tagLength : 0;
  }
  return modulusBytes(slot, session, key.handle);
}

}  // namespace kms::pkcs11
