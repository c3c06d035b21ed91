// AbiVocabulary: the one translation between kmsd's core vocabulary and the driver ABI. A
// wrong entry would send a driver another mechanism, digest or usage than kmsd means.
#include <doctest/doctest.h>

#include "kms/driver.h"
#include "kms/hsm/AbiVocabulary.hpp"

using kms::hsm::AbiVocabulary;
using kms::hsm::KeyUsage;
using kms::hsm::KeyUse;
using kms::hsm::Mechanism;
using kms::keys::Hash;

TEST_CASE("mechanisms and digests map onto KMS_ALG_* and KMS_HASH_*") {
  CHECK(AbiVocabulary::algorithm(Mechanism::None) == 0);
  CHECK(AbiVocabulary::algorithm(Mechanism::AesGcm) == KMS_ALG_AES_GCM);
  CHECK(AbiVocabulary::algorithm(Mechanism::RsaOaep) == KMS_ALG_RSA_OAEP);
  CHECK(AbiVocabulary::algorithm(Mechanism::RsaPkcs1) == KMS_ALG_RSA_PKCS1);
  CHECK(AbiVocabulary::algorithm(Mechanism::AesKeyWrapPad) == KMS_ALG_AES_KEY_WRAP_PAD);
  CHECK(AbiVocabulary::algorithm(Mechanism::RsaPss) == KMS_ALG_RSA_PSS);
  CHECK(AbiVocabulary::algorithm(Mechanism::RsaPkcs1Sign) == KMS_ALG_RSA_PKCS1_SIGN);
  CHECK(AbiVocabulary::hash(std::nullopt) == 0);
  CHECK(AbiVocabulary::hash(Hash::Sha1) == KMS_HASH_SHA1);
  CHECK(AbiVocabulary::hash(Hash::Sha224) == KMS_HASH_SHA224);
  CHECK(AbiVocabulary::hash(Hash::Sha256) == KMS_HASH_SHA256);
  CHECK(AbiVocabulary::hash(Hash::Sha384) == KMS_HASH_SHA384);
  CHECK(AbiVocabulary::hash(Hash::Sha512) == KMS_HASH_SHA512);
}

TEST_CASE("key usage goes to KMS_USE_* bits and back, unknown bits dropped") {
  CHECK(AbiVocabulary::usage({}) == 0);
  CHECK(AbiVocabulary::usage({KeyUse::Encrypt, KeyUse::Unwrap}) == (KMS_USE_ENCRYPT | KMS_USE_UNWRAP));
  const KeyUsage all{KeyUse::Encrypt, KeyUse::Decrypt, KeyUse::Sign, KeyUse::Verify, KeyUse::Wrap, KeyUse::Unwrap};
  const std::uint32_t allBits =
      KMS_USE_ENCRYPT | KMS_USE_DECRYPT | KMS_USE_SIGN | KMS_USE_VERIFY | KMS_USE_WRAP | KMS_USE_UNWRAP;
  CHECK(AbiVocabulary::usage(all) == allBits);
  CHECK(AbiVocabulary::usageFromAbi(allBits) == all);
  CHECK(AbiVocabulary::usageFromAbi(KMS_USE_SIGN | (1U << 30)) == KeyUsage{KeyUse::Sign});
  CHECK(AbiVocabulary::usageFromAbi(KMS_USE_SIGN).has(KeyUse::Sign));
  CHECK_FALSE(AbiVocabulary::usageFromAbi(KMS_USE_SIGN).has(KeyUse::Verify));
}

TEST_CASE("protection, key types and export formats") {
  CHECK(AbiVocabulary::flags({}) == 0);
  CHECK(AbiVocabulary::flags({.sensitive = true, .extractable = false}) == KMS_KEY_SENSITIVE);
  CHECK(AbiVocabulary::flags({.sensitive = true, .extractable = true}) == (KMS_KEY_SENSITIVE | KMS_KEY_EXTRACTABLE));
  const auto back = AbiVocabulary::protectionFromAbi(KMS_KEY_EXTRACTABLE);
  CHECK_FALSE(back.sensitive);
  CHECK(back.extractable);
  for (const auto type : {kms::hsm::KeyType::Aes, kms::hsm::KeyType::RsaPrivate, kms::hsm::KeyType::RsaPublic}) {
    CHECK(AbiVocabulary::keyTypeFromAbi(AbiVocabulary::keyType(type)) == type);
  }
  CHECK(AbiVocabulary::keyType(kms::hsm::KeyType::Aes) == KMS_KEY_AES);
  CHECK(AbiVocabulary::keyTypeFromAbi(99) == kms::hsm::KeyType::Unknown);
  CHECK(AbiVocabulary::format(kms::hsm::ExportFormat::Raw) == KMS_FORMAT_RAW);
  CHECK(AbiVocabulary::format(kms::hsm::ExportFormat::Pkcs1) == KMS_FORMAT_PKCS1);
  CHECK(AbiVocabulary::format(kms::hsm::ExportFormat::Pkcs8) == KMS_FORMAT_PKCS8);
  CHECK(AbiVocabulary::format(kms::hsm::ExportFormat::Spki) == KMS_FORMAT_SPKI);
}
