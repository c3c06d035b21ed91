// crypto::KeyResolver and the two usable keys on a real SoftHSM2 token: the UID's form picks the
// implementation, an HSM key encrypts, decrypts, signs and verifies inside the token, and every
// refusal a caller without the right could see is the database's own NotFound.
#include <doctest/doctest.h>

#include "hsm_Fixture.hpp"
#include "kms/Exception.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/objects/NewObject.hpp"

using kms::ErrorCode;
using kms::kmip::Ttlv;
using kms::ops::crypto::KeyOperation;
using kms::ops::crypto::KeyResolver;
using kms::ops::test::HsmFixture;

namespace {

HsmFixture& fixture() {
  static HsmFixture f;
  return f;
}

Ttlv payload(const std::string& uid, std::vector<Ttlv> items = {}) {
  items.insert(items.begin(), Ttlv::textString("UniqueIdentifier", uid));
  return Ttlv::structure("RequestPayload", std::move(items));
}

// The code and text of what `fn` throws.
std::pair<ErrorCode, std::string> refusal(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const kms::Exception& e) {
    return {e.code(), e.what()};
  }
  FAIL("no exception");
  return {ErrorCode::GeneralFailure, {}};
}

// A database AES-256 key owned by `owner`, Active, Encrypt|Decrypt.
std::string databaseKey(HsmFixture& f, const std::string& owner) {
  Ttlv::Bytes material(32, 0x11);
  auto key = Ttlv::structure(
      "SymmetricKey",
      {Ttlv::structure("KeyBlock",
                       {Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(kms::kmip::KeyFormatType::Raw)),
                        Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", material)}),
                        Ttlv::enumeration("CryptographicAlgorithm",
                                          static_cast<std::uint32_t>(kms::kmip::CryptographicAlgorithm::AES)),
                        Ttlv::integer("CryptographicLength", 256)})});
  auto attributes = Ttlv::structure(
      "Attributes",
      {Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kms::kmip::CryptographicAlgorithm::AES)),
       Ttlv::integer("CryptographicLength", 256), Ttlv::integer("CryptographicUsageMask", 0x0C),
       Ttlv::dateTime("ActivationDate", 1577836800)});
  auto& ctx = f.as(owner);
  auto object =
      kms::ops::objects::NewObject::make(ctx, kms::kmip::ObjectType::SymmetricKey, std::move(key), attributes);
  f.repository().insert({&object});
  return object.uid;
}

}  // namespace

TEST_CASE("the resolver sends hsm:: UIDs to the HSM and the rest to the database") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("resolve-aes");
  f.instance().generateAes(f.slot(), label, 256, {.sensitive = true, .extractable = false});
  const auto hsmUid = f.uidOf(label);
  {
    const auto key = KeyResolver::resolve(f.as("admin"), payload(hsmUid), KeyOperation::Encrypt);
    CHECK(key.inHsm());
    CHECK(key->uid() == hsmUid);
  }
  const auto dbUid = databaseKey(f, "alice");
  const auto key = KeyResolver::resolve(f.as("alice"), payload(dbUid), KeyOperation::Encrypt);
  CHECK_FALSE(key.inHsm());
  CHECK(key->uid() == dbUid);
}

TEST_CASE("an HSM key the caller may not use, a missing one and a missing database object answer alike") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("hidden");
  f.instance().generateAes(f.slot(), label, 256, {.sensitive = true});
  const auto resolve = [&](const std::string& user, const std::string& uid) {
    return [&f, user, uid] { (void)KeyResolver::resolve(f.as(user), payload(uid), KeyOperation::Decrypt); };
  };
  const auto existing = refusal(resolve("mallory", f.uidOf(label)));
  CHECK(existing.first == ErrorCode::NotFound);
  CHECK(existing.second == "object '" + f.uidOf(label) + "' not found");
  const auto missing = refusal(resolve("admin", f.uidOf(label + "-none")));
  CHECK(missing.first == ErrorCode::NotFound);
  CHECK(missing.second == "object '" + f.uidOf(label + "-none") + "' not found");
  const auto unknownSlot = refusal(resolve("mallory", "hsm::softhsm2::424242::" + label));
  CHECK(unknownSlot.second == "object 'hsm::softhsm2::424242::" + label + "' not found");
  const auto database = refusal(resolve("mallory", "00000000-0000-0000-0000-000000000000"));
  CHECK(database.first == ErrorCode::NotFound);
  CHECK(database.second == "object '00000000-0000-0000-0000-000000000000' not found");
}

TEST_CASE("an HSM AES key encrypts under an IV kmsd draws and decrypts what it encrypted") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("gcm");
  f.instance().generateAes(f.slot(), label, 256, {.sensitive = true});
  const auto uid = f.uidOf(label);
  const Ttlv::Bytes plain(100, 0x5a);
  const auto sealed =
      KeyResolver::resolve(f.as("admin"), payload(uid, {Ttlv::byteString("Data", plain)}), KeyOperation::Encrypt)
          ->encrypt(payload(uid, {Ttlv::byteString("Data", plain)}));
  CHECK(sealed.iv.size() == 12);
  CHECK(sealed.tag.size() == 16);
  CHECK(sealed.ciphertext.size() == plain.size());
  CHECK(sealed.ciphertext != plain);

  const auto request =
      payload(uid, {Ttlv::byteString("Data", sealed.ciphertext), Ttlv::byteString("IVCounterNonce", sealed.iv),
                    Ttlv::byteString("AuthenticatedEncryptionTag", sealed.tag)});
  const auto opened = KeyResolver::resolve(f.as("admin"), request, KeyOperation::Decrypt)->decrypt(request);
  CHECK(Ttlv::Bytes(opened.begin(), opened.end()) == plain);

  // The caller's IV is refused (issue 22): no chosen-IV GCM output under a key that may wrap.
  const auto chosen = payload(uid, {Ttlv::byteString("Data", plain), Ttlv::byteString("IVCounterNonce", sealed.iv)});
  const auto key = KeyResolver::resolve(f.as("admin"), chosen, KeyOperation::Encrypt);
  CHECK(refusal([&] { (void)key->encrypt(chosen); }).first == ErrorCode::InvalidField);
  // A wrong tag fails inside the token.
  auto tampered = sealed.tag;
  tampered[0] ^= 1;
  const auto bad =
      payload(uid, {Ttlv::byteString("Data", sealed.ciphertext), Ttlv::byteString("IVCounterNonce", sealed.iv),
                    Ttlv::byteString("AuthenticatedEncryptionTag", tampered)});
  CHECK(refusal([&] { (void)KeyResolver::resolve(f.as("admin"), bad, KeyOperation::Decrypt)->decrypt(bad); }).first ==
        ErrorCode::CryptographicFailure);
}

TEST_CASE("an HSM RSA key signs in the token and its public half verifies") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("rsa");
  f.instance().generateRsa(f.slot(), label, 2048, {.sensitive = true});
  const auto uid = f.uidOf(label);
  const Ttlv::Bytes data{1, 2, 3, 4, 5};
  const auto signRequest = payload(uid, {Ttlv::byteString("Data", data)});
  const auto signature = KeyResolver::resolve(f.as("admin"), signRequest, KeyOperation::Sign)->sign(signRequest);
  CHECK(signature.size() == 256);

  for (const auto& verifier : {uid, uid + "_pk"}) {
    CAPTURE(verifier);
    const auto good = payload(verifier, {Ttlv::byteString("Data", data), Ttlv::byteString("SignatureData", signature)});
    CHECK(KeyResolver::resolve(f.as("admin"), good, KeyOperation::SignatureVerify)->verify(good));
    auto forged = signature;
    forged[10] ^= 1;
    const auto bad = payload(verifier, {Ttlv::byteString("Data", data), Ttlv::byteString("SignatureData", forged)});
    CHECK_FALSE(KeyResolver::resolve(f.as("admin"), bad, KeyOperation::SignatureVerify)->verify(bad));
  }

  // RSA-OAEP decryption of what the public half encrypted (SoftHSM2 does OAEP with SHA-1).
  const auto oaep = Ttlv::structure(
      "CryptographicParameters",
      {Ttlv::enumeration("PaddingMethod", static_cast<std::uint32_t>(kms::kmip::PaddingMethod::OAEP)),
       Ttlv::enumeration("HashingAlgorithm", static_cast<std::uint32_t>(kms::kmip::HashingAlgorithm::SHA_1))});
  const auto encryptRequest = payload(uid + "_pk", {Ttlv::byteString("Data", data), oaep});
  const auto sealed =
      KeyResolver::resolve(f.as("admin"), encryptRequest, KeyOperation::Encrypt)->encrypt(encryptRequest);
  CHECK(sealed.iv.empty());
  CHECK(sealed.tag.empty());
  const auto decryptRequest = payload(uid, {Ttlv::byteString("Data", sealed.ciphertext), oaep});
  const auto opened =
      KeyResolver::resolve(f.as("admin"), decryptRequest, KeyOperation::Decrypt)->decrypt(decryptRequest);
  CHECK(Ttlv::Bytes(opened.begin(), opened.end()) == data);
}

TEST_CASE("HSM key checks: what signs, and Data before the key is looked up") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("not-rsa");
  f.instance().generateAes(f.slot(), label, 128, {.sensitive = true});
  const auto uid = f.uidOf(label);
  const auto sign = payload(uid, {Ttlv::byteString("Data", {1})});
  const auto notRsa = refusal([&] { (void)KeyResolver::resolve(f.as("admin"), sign, KeyOperation::Sign); });
  CHECK(notRsa.first == ErrorCode::IllegalObjectType);
  CHECK(notRsa.second == uid + ": only an RSA private key signs");
  // Without Data the answer does not depend on the key, nor on the caller's rights.
  for (const auto& user : {"admin", "mallory"}) {
    const auto noData = refusal([&] { (void)KeyResolver::resolve(f.as(user), payload(uid), KeyOperation::Sign); });
    CHECK(noData.first == ErrorCode::MissingData);
    CHECK(noData.second == "Sign needs Data");
  }
}

TEST_CASE("a database key resolves to the software key: checked, cached, and used in kmsd") {
  auto& f = fixture();
  const auto uid = databaseKey(f, "alice");
  const Ttlv::Bytes plain(40, 0x22);
  const auto encrypt = payload(uid, {Ttlv::byteString("Data", plain)});
  const auto sealed = KeyResolver::resolve(f.as("alice"), encrypt, KeyOperation::Encrypt)->encrypt(encrypt);
  CHECK(sealed.iv.size() == 12);
  CHECK(sealed.tag.size() == 16);
  const auto decrypt =
      payload(uid, {Ttlv::byteString("Data", sealed.ciphertext), Ttlv::byteString("IVCounterNonce", sealed.iv),
                    Ttlv::byteString("AuthenticatedEncryptionTag", sealed.tag)});
  const auto opened = KeyResolver::resolve(f.as("alice"), decrypt, KeyOperation::Decrypt)->decrypt(decrypt);
  CHECK(Ttlv::Bytes(opened.begin(), opened.end()) == plain);
  // The caller's IV is the caller's business: not answered back.
  const auto withIv = payload(uid, {Ttlv::byteString("Data", plain), Ttlv::byteString("IVCounterNonce", sealed.iv)});
  CHECK(KeyResolver::resolve(f.as("alice"), withIv, KeyOperation::Encrypt)->encrypt(withIv).iv.empty());
  // Its usage mask has no Sign: refused at resolution, before any parameter is read.
  const auto sign = refusal([&] { (void)KeyResolver::resolve(f.as("alice"), encrypt, KeyOperation::Sign); });
  CHECK(sign.first == ErrorCode::IncompatibleUsageMask);
}
