#include "kms/hsm/AbiVocabulary.hpp"

#include <array>
#include <utility>

#include "kms/driver.h"

namespace kms::hsm {
namespace {

constexpr std::array<std::pair<KeyUse, std::uint32_t>, 6> kUsage{{
    {KeyUse::Encrypt, KMS_USE_ENCRYPT},
    {KeyUse::Decrypt, KMS_USE_DECRYPT},
    {KeyUse::Sign, KMS_USE_SIGN},
    {KeyUse::Verify, KMS_USE_VERIFY},
    {KeyUse::Wrap, KMS_USE_WRAP},
    {KeyUse::Unwrap, KMS_USE_UNWRAP},
}};

}  // namespace

std::int32_t AbiVocabulary::algorithm(Mechanism mechanism) noexcept {
  switch (mechanism) {
    case Mechanism::AesGcm:
      return KMS_ALG_AES_GCM;
    case Mechanism::RsaOaep:
      return KMS_ALG_RSA_OAEP;
    case Mechanism::RsaPkcs1:
      return KMS_ALG_RSA_PKCS1;
    case Mechanism::AesKeyWrapPad:
      return KMS_ALG_AES_KEY_WRAP_PAD;
    case Mechanism::RsaPss:
      return KMS_ALG_RSA_PSS;
    case Mechanism::RsaPkcs1Sign:
      return KMS_ALG_RSA_PKCS1_SIGN;
    case Mechanism::None:
      break;
  }
  return 0;
}

std::int32_t AbiVocabulary::hash(std::optional<keys::Hash> hash) noexcept {
  if (!hash) return 0;
  switch (*hash) {
    case keys::Hash::Sha1:
      return KMS_HASH_SHA1;
    case keys::Hash::Sha224:
      return KMS_HASH_SHA224;
    case keys::Hash::Sha256:
      return KMS_HASH_SHA256;
    case keys::Hash::Sha384:
      return KMS_HASH_SHA384;
    case keys::Hash::Sha512:
      return KMS_HASH_SHA512;
  }
  return 0;
}

std::uint32_t AbiVocabulary::usage(KeyUsage usage) noexcept {
  std::uint32_t bits = 0;
  for (const auto& [use, bit] : kUsage) {
    if (usage.has(use)) bits |= bit;
  }
  return bits;
}

KeyUsage AbiVocabulary::usageFromAbi(std::uint32_t bits) noexcept {
  KeyUsage usage;
  for (const auto& [use, bit] : kUsage) {
    if ((bits & bit) != 0) usage.add(use);
  }
  return usage;
}

std::uint32_t AbiVocabulary::flags(KeyProtection protection) noexcept {
  std::uint32_t flags = 0;
  if (protection.sensitive) flags |= KMS_KEY_SENSITIVE;
  if (protection.extractable) flags |= KMS_KEY_EXTRACTABLE;
  return flags;
}

KeyProtection AbiVocabulary::protectionFromAbi(std::uint32_t flags) noexcept {
  return KeyProtection{(flags & KMS_KEY_SENSITIVE) != 0, (flags & KMS_KEY_EXTRACTABLE) != 0};
}

std::int32_t AbiVocabulary::keyType(KeyType type) noexcept {
  switch (type) {
    case KeyType::Aes:
      return KMS_KEY_AES;
    case KeyType::RsaPrivate:
      return KMS_KEY_RSA_PRIVATE;
    case KeyType::RsaPublic:
      return KMS_KEY_RSA_PUBLIC;
    case KeyType::Unknown:
      break;
  }
  return 0;
}

KeyType AbiVocabulary::keyTypeFromAbi(std::int32_t type) noexcept {
  switch (type) {
    case KMS_KEY_AES:
      return KeyType::Aes;
    case KMS_KEY_RSA_PRIVATE:
      return KeyType::RsaPrivate;
    case KMS_KEY_RSA_PUBLIC:
      return KeyType::RsaPublic;
    default:
      return KeyType::Unknown;
  }
}

std::int32_t AbiVocabulary::format(ExportFormat format) noexcept {
  switch (format) {
    case ExportFormat::Raw:
      return KMS_FORMAT_RAW;
    case ExportFormat::Pkcs1:
      return KMS_FORMAT_PKCS1;
    case ExportFormat::Pkcs8:
      return KMS_FORMAT_PKCS8;
    case ExportFormat::Spki:
      return KMS_FORMAT_SPKI;
  }
  return 0;
}

}  // namespace kms::hsm
