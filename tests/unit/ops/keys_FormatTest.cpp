// Get / Export: key format conversions, Sensitive / Extractable, destroyed objects.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;
using F = kmip::KeyFormatType;

std::uint32_t formatOf(const Ttlv& block) {
  return block.at("KeyFormatType").asEnumeration();
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "Symmetric key: Raw <-> TransparentSymmetricKey, refused as PKCS_1") {
  const auto key = hex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  const auto uid = registerAes(key, M::Encrypt);
  const auto transparent = get(uid, F::TransparentSymmetricKey);
  const auto& block = keyBlockOf(transparent, "SymmetricKey");
  CHECK(formatOf(block) == static_cast<std::uint32_t>(F::TransparentSymmetricKey));
  CHECK(block.at("KeyValue").at("KeyMaterial").at("Key").asBytes() == key);
  CHECK(block.at("CryptographicLength").asInteger() == 256);
  CHECK(keyBlockOf(get(uid, F::Raw), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes() == key);
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", uid),
                                        enumItem("KeyFormatType", F::PKCS_1)})) == ErrorCode::KeyFormatNotSupported);

  // Registering the transparent form gives the same key back as Raw.
  const auto again = registerKey(kmip::ObjectType::SymmetricKey, F::TransparentSymmetricKey,
                                 Ttlv::structure("KeyMaterial", {Ttlv::byteString("Key", key)}),
                                 kmip::CryptographicAlgorithm::AES, 256, {mask(M::Encrypt)});
  CHECK(keyBlockOf(get(again, F::Raw), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes() == key);
}

TEST_CASE_FIXTURE(Fixture, "RSA private key: PKCS_1 <-> PKCS_8 <-> TransparentRSAPrivateKey") {
  const auto& pair = sharedRsaPair();
  const Bytes pkcs1(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end());
  const auto uid = registerKey(kmip::ObjectType::PrivateKey, F::PKCS_1, Ttlv::byteString("KeyMaterial", pkcs1),
                               kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign)});
  const auto pkcs8 = keyBlockOf(get(uid, F::PKCS_8), "PrivateKey");
  CHECK(formatOf(pkcs8) == static_cast<std::uint32_t>(F::PKCS_8));
  const auto& pkcs8Der = pkcs8.at("KeyValue").at("KeyMaterial").asBytes();
  CHECK(pkcs8Der != pkcs1);
  CHECK(pkcs8.at("CryptographicLength").asInteger() == 2048);

  const auto transparent = keyBlockOf(get(uid, F::TransparentRSAPrivateKey), "PrivateKey");
  const auto& material = transparent.at("KeyValue").at("KeyMaterial");
  for (const char* tag : {"Modulus", "PrivateExponent", "PublicExponent", "P", "Q", "PrimeExponentP", "PrimeExponentQ",
                          "CRTCoefficient"}) {
    CAPTURE(tag);
    REQUIRE(material.find(tag) != nullptr);
    CHECK(material.at(tag).type() == kmip::ItemType::BigInteger);
    CHECK((material.at(tag).asBytes()[0] & 0x80) == 0);  // positive two's complement
  }
  CHECK(material.at("PublicExponent").asBytes() == hex("010001"));

  // Each form registers and comes back as the original PKCS#1.
  const auto from8 = registerKey(kmip::ObjectType::PrivateKey, F::PKCS_8, Ttlv::byteString("KeyMaterial", pkcs8Der),
                                 kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign)});
  CHECK(keyBlockOf(get(from8, F::PKCS_1), "PrivateKey").at("KeyValue").at("KeyMaterial").asBytes() == pkcs1);
  CHECK(keyBlockOf(get(from8), "PrivateKey").at("KeyValue").at("KeyMaterial").asBytes() == pkcs8Der);
  const auto fromTransparent = registerKey(kmip::ObjectType::PrivateKey, F::TransparentRSAPrivateKey, material,
                                           kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign)});
  CHECK(keyBlockOf(get(fromTransparent, F::PKCS_1), "PrivateKey").at("KeyValue").at("KeyMaterial").asBytes() == pkcs1);
  // A private key is not returned as a public format.
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", uid),
                                        enumItem("KeyFormatType", F::X_509)})) == ErrorCode::KeyFormatNotSupported);
}

TEST_CASE_FIXTURE(Fixture, "RSA public key: PKCS_1 <-> X_509 (SPKI) <-> PKCS_8 (SPKI) <-> TransparentRSAPublicKey") {
  const auto& pair = sharedRsaPair();
  const auto uid =
      registerKey(kmip::ObjectType::PublicKey, F::PKCS_1, Ttlv::byteString("KeyMaterial", pair.publicPkcs1Der),
                  kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Verify)});
  const auto spki = keyBlockOf(get(uid, F::X_509), "PublicKey").at("KeyValue").at("KeyMaterial").asBytes();
  CHECK(spki.size() > pair.publicPkcs1Der.size());
  CHECK(keyBlockOf(get(uid, F::PKCS_8), "PublicKey").at("KeyValue").at("KeyMaterial").asBytes() == spki);
  const auto transparent = keyBlockOf(get(uid, F::TransparentRSAPublicKey), "PublicKey");
  const auto& material = transparent.at("KeyValue").at("KeyMaterial");
  CHECK(material.at("PublicExponent").asBytes() == hex("010001"));
  CHECK(material.at("Modulus").asBytes().size() == 257);  // 2048 bits + the sign byte

  const auto fromSpki = registerKey(kmip::ObjectType::PublicKey, F::X_509, Ttlv::byteString("KeyMaterial", spki),
                                    kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Verify)});
  CHECK(keyBlockOf(get(fromSpki, F::PKCS_1), "PublicKey").at("KeyValue").at("KeyMaterial").asBytes() ==
        pair.publicPkcs1Der);
  const auto fromTransparent = registerKey(kmip::ObjectType::PublicKey, F::TransparentRSAPublicKey, material,
                                           kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Verify)});
  CHECK(keyBlockOf(get(fromTransparent, F::PKCS_1), "PublicKey").at("KeyValue").at("KeyMaterial").asBytes() ==
        pair.publicPkcs1Der);
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", uid),
                                        enumItem("KeyFormatType", F::TransparentRSAPrivateKey)})) ==
        ErrorCode::KeyFormatNotSupported);
}

TEST_CASE_FIXTURE(Fixture, "Sensitive and non-extractable keys are not returned") {
  const auto sensitive = createAes(128, M::Encrypt | M::Decrypt, {Ttlv::boolean("Sensitive", true)});
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", sensitive)})) == ErrorCode::Sensitive);
  CHECK(failure(Ttlv::structure("Export", {Ttlv::textString("UniqueIdentifier", sensitive)})) == ErrorCode::Sensitive);
  CHECK(reasonInMessage("Get", Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", sensitive)})) ==
        static_cast<std::uint32_t>(kmip::ResultReason::Sensitive));
  // Still usable.
  CHECK(run(Ttlv::structure("Encrypt",
                            {Ttlv::textString("UniqueIdentifier", sensitive), Ttlv::byteString("Data", Bytes(16, 0))}))
            .find("Data") != nullptr);

  const auto locked = createAes(128, M::Encrypt, {Ttlv::boolean("Extractable", false)});
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", locked)})) == ErrorCode::NotExtractable);
  CHECK(reasonInMessage("Get", Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", locked)})) ==
        static_cast<std::uint32_t>(kmip::ResultReason::NotExtractable));
  const auto attributes =
      run(Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", locked)})).at("Attributes");
  CHECK(attributes.at("NeverExtractable").asBoolean() == true);
}

TEST_CASE_FIXTURE(Fixture, "Export returns the attributes with the object; a destroyed key only its attributes") {
  const auto uid = createAes(256, M::Encrypt, {}, false);  // PreActive: destroyable at once
  const auto exported = run(Ttlv::structure(
      "Export", {Ttlv::textString("UniqueIdentifier", uid), enumItem("KeyFormatType", F::TransparentSymmetricKey)}));
  CHECK(exported.at("ObjectType").asEnumeration() == static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey));
  CHECK(exported.at("UniqueIdentifier").asText() == uid);
  CHECK(exported.at("Attributes").at("CryptographicLength").asInteger() == 256);
  CHECK(exported.at("SymmetricKey").at("KeyBlock").at("KeyValue").at("KeyMaterial").at("Key").asBytes().size() == 32);

  (void)run(Ttlv::structure("Destroy", {Ttlv::textString("UniqueIdentifier", uid)}));
  CHECK(failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", uid)})) ==
        ErrorCode::WrongKeyLifecycleState);
  const auto after = run(Ttlv::structure("Export", {Ttlv::textString("UniqueIdentifier", uid)}));
  CHECK(after.at("SymmetricKey").find("KeyBlock") == nullptr);
  CHECK(after.at("Attributes").at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::Destroyed));
  // Wrapping on export is not there yet.
  const auto other = createAes(128, M::Encrypt);
  CHECK(
      failure(Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", other),
                                      Ttlv::structure("KeyWrappingSpecification",
                                                      {enumItem("WrappingMethod", kmip::WrappingMethod::Encrypt)})})) ==
      ErrorCode::FeatureNotSupported);
}

}  // namespace kms::ops::keystest
