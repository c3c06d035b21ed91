#include "kms/pkcs11/KeyGenerator.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include "kms/pkcs11/KeyFinder.hpp"
#include "kms/pkcs11/Template.hpp"

namespace kms::pkcs11 {

namespace {

constexpr std::uint32_t kAesUsage = KMS_USE_ENCRYPT | KMS_USE_DECRYPT | KMS_USE_WRAP | KMS_USE_UNWRAP;
constexpr std::uint32_t kRsaUsage = kAesUsage | KMS_USE_SIGN | KMS_USE_VERIFY;
constexpr std::size_t kGeneratedIdBytes = 16;

void refuseExisting(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref) {
  if (!KeyFinder::find(slot, session, ref).empty()) {
    throw Error(KMS_ERR_ALREADY_EXISTS, fmt::format("{} already exists in slot {}", ref.describe(), slot.id()));
  }
}

void requireMechanism(Slot& slot, CK_MECHANISM_TYPE mechanism, CK_FLAGS flag, const char* what) {
  if (!slot.mechanisms().supports(mechanism, flag)) {
    throw Error(KMS_ERR_NOT_SUPPORTED, fmt::format("{} is not supported by the token in slot {}", what, slot.id()));
  }
}

}  // namespace

KeyInfo KeyGenerator::generate(Slot& slot, CK_SESSION_HANDLE session, const kms_generate_request& request) {
  const std::string label = request.label != nullptr ? request.label : "";
  if (label.empty() || label.size() >= KMS_LABEL_SIZE - 3) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("a key label must have 1 to {} bytes", KMS_LABEL_SIZE - 4));
  }
  if (request.id_length > KMS_ID_SIZE || (request.id_length > 0 && request.id == nullptr)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("a key id must have at most {} bytes", KMS_ID_SIZE));
  }
  KeyInfo info;
  info.slot = slot.id();
  info.label = label;
  info.bits = request.bits;
  info.flags = request.flags & (KMS_KEY_SENSITIVE | KMS_KEY_EXTRACTABLE);
  if (request.id_length > 0) info.id.assign(request.id, request.id + request.id_length);
  const bool sensitive = (info.flags & KMS_KEY_SENSITIVE) != 0;
  const bool extractable = (info.flags & KMS_KEY_EXTRACTABLE) != 0;

  refuseExisting(slot, session, KeyRef{slot.id(), label, {}});
  if (!info.id.empty()) refuseExisting(slot, session, KeyRef{slot.id(), {}, info.id});

  if (request.key_type == KMS_KEY_AES) {
    if (request.bits != 128 && request.bits != 192 && request.bits != 256) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("AES keys have 128, 192 or 256 bits, not {}", request.bits));
    }
    requireMechanism(slot, CKM_AES_KEY_GEN, CKF_GENERATE, "AES key generation");
    info.keyType = KMS_KEY_AES;
    info.usage = request.usage != 0 ? request.usage : kAesUsage;
    Template key;
    key.addUlong(CKA_CLASS, CKO_SECRET_KEY)
        .addUlong(CKA_KEY_TYPE, CKK_AES)
        .addUlong(CKA_VALUE_LEN, request.bits / 8)
        .addBool(CKA_TOKEN, true)
        .addBool(CKA_PRIVATE, slot.loggedIn())
        .addText(CKA_LABEL, label)
        .addBool(CKA_SENSITIVE, sensitive)
        .addBool(CKA_EXTRACTABLE, extractable)
        .addBool(CKA_ENCRYPT, (info.usage & KMS_USE_ENCRYPT) != 0)
        .addBool(CKA_DECRYPT, (info.usage & KMS_USE_DECRYPT) != 0)
        .addBool(CKA_WRAP, (info.usage & KMS_USE_WRAP) != 0)
        .addBool(CKA_UNWRAP, (info.usage & KMS_USE_UNWRAP) != 0)
        .addBool(CKA_SIGN, (info.usage & KMS_USE_SIGN) != 0)  // tokens default these to true
        .addBool(CKA_VERIFY, (info.usage & KMS_USE_VERIFY) != 0);
    if (!info.id.empty()) key.addBytes(CKA_ID, info.id.data(), info.id.size());
    CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    KMS_P11_CHECK(slot.call(), slot.id(), C_GenerateKey, session, &mechanism, key.data(), key.size(), &handle);
    return info;
  }

  if (request.key_type != KMS_KEY_RSA_PRIVATE) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("cannot generate key type {}", request.key_type));
  }
  if (request.bits != 2048 && request.bits != 3072 && request.bits != 4096) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("RSA keys have 2048, 3072 or 4096 bits, not {}", request.bits));
  }
  requireMechanism(slot, CKM_RSA_PKCS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, "RSA key pair generation");
  const std::string publicLabel = label + "_pk";
  refuseExisting(slot, session, KeyRef{slot.id(), publicLabel, {}});
  if (info.id.empty()) {
    // The pair must share a CKA_ID (it is how tools pair them); make one up when none is given.
    info.id.resize(kGeneratedIdBytes);
    if (RAND_bytes(info.id.data(), static_cast<int>(info.id.size())) != 1) {
      throw Error(KMS_ERR_INTERNAL, "OpenSSL RAND_bytes failed");
    }
  }
  info.keyType = KMS_KEY_RSA_PRIVATE;
  info.usage = request.usage != 0 ? request.usage : kRsaUsage;
  static const std::uint8_t kExponent[] = {0x01, 0x00, 0x01};
  Template publicKey;
  publicKey.addUlong(CKA_CLASS, CKO_PUBLIC_KEY)
      .addUlong(CKA_KEY_TYPE, CKK_RSA)
      .addBool(CKA_TOKEN, true)
      .addBool(CKA_PRIVATE, false)
      .addText(CKA_LABEL, publicLabel)
      .addBytes(CKA_ID, info.id.data(), info.id.size())
      .addUlong(CKA_MODULUS_BITS, request.bits)
      .addBytes(CKA_PUBLIC_EXPONENT, kExponent, sizeof kExponent)
      .addBool(CKA_ENCRYPT, (info.usage & KMS_USE_ENCRYPT) != 0)
      .addBool(CKA_VERIFY, (info.usage & KMS_USE_VERIFY) != 0)
      .addBool(CKA_WRAP, (info.usage & KMS_USE_WRAP) != 0);
  Template privateKey;
  privateKey.addUlong(CKA_CLASS, CKO_PRIVATE_KEY)
      .addUlong(CKA_KEY_TYPE, CKK_RSA)
      .addBool(CKA_TOKEN, true)
      .addBool(CKA_PRIVATE, slot.loggedIn())
      .addText(CKA_LABEL, label)
      .addBytes(CKA_ID, info.id.data(), info.id.size())
      .addBool(CKA_SENSITIVE, sensitive)
      .addBool(CKA_EXTRACTABLE, extractable)
      .addBool(CKA_DECRYPT, (info.usage & KMS_USE_DECRYPT) != 0)
      .addBool(CKA_SIGN, (info.usage & KMS_USE_SIGN) != 0)
      .addBool(CKA_UNWRAP, (info.usage & KMS_USE_UNWRAP) != 0);
  CK_MECHANISM mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE publicHandle = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE privateHandle = CK_INVALID_HANDLE;
  KMS_P11_CHECK(slot.call(), slot.id(), C_GenerateKeyPair, session, &mechanism, publicKey.data(), publicKey.size(),
                privateKey.data(), privateKey.size(), &publicHandle, &privateHandle);
  return info;
}

}  // namespace kms::pkcs11
