// The wrapping code split by job, on a real SoftHSM2 token: WrapCipher's choice of scheme for
// each key and material (and its round trip through the HSM), KeyWrappingData's stored form
// written and read back, WrappingKeys' choice of key.
#include <doctest/doctest.h>

#include "hsm_Fixture.hpp"
#include "kms/Exception.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/ops/wrapping/KeyWrappingData.hpp"
#include "kms/ops/wrapping/WrapCipher.hpp"
#include "kms/ops/wrapping/WrappingKeys.hpp"

using kms::ErrorCode;
using kms::kmip::Ttlv;
using kms::ops::test::HsmFixture;
using kms::ops::wrapping::KeyWrappingData;
using kms::ops::wrapping::WrapCipher;
using kms::ops::wrapping::WrappingKey;
using kms::ops::wrapping::WrappingKeys;
using kms::ops::wrapping::WrapScheme;
using Kind = WrapScheme::Kind;

namespace {

HsmFixture& fixture() {
  static HsmFixture f;
  return f;
}

kms::keys::SecretBytes materialOf(std::size_t size) {
  kms::keys::SecretBytes material(size);
  for (std::size_t i = 0; i < size; ++i) material[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return material;
}

Ttlv clearBlock() {
  return Ttlv::structure(
      "KeyBlock",
      {Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(kms::kmip::KeyFormatType::Raw)),
       Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kms::kmip::CryptographicAlgorithm::AES)),
       Ttlv::integer("CryptographicLength", 256)});
}

// Wraps `material` under `key`, writes the stored block, reads it back and unwraps it: the
// scheme the stored form records, and the material must come back.
Kind roundTrip(const WrappingKey& key, const kms::keys::SecretBytes& material) {
  auto wrapped = WrapCipher::wrap(key, material);
  CHECK(wrapped.value != kms::keys::Bytes(material.begin(), material.end()));
  const auto block =
      KeyWrappingData::write(clearBlock(), kms::kmip::KeyFormatType::Raw, std::move(wrapped), key.canonical);
  const auto stored = KeyWrappingData::read(block, "object-1");
  const auto scheme = KeyWrappingData::scheme(stored.wrappingData);
  const auto back = WrapCipher::unwrap(key, scheme, KeyWrappingData::parameters(stored.wrappingData),
                                       stored.wrappingData, stored.value.asBytes(), "object-1");
  CHECK(back == material);
  return scheme;
}

}  // namespace

TEST_CASE("WrappingKeys: the requested key needs the caller's encrypt right; the server's needs none") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("kek-aes");
  f.instance().generateAes(f.slot(), label, 256, {.sensitive = true});
  const auto uid = f.uidOf(label);
  const auto asked =
      Ttlv::structure("Attributes", {Ttlv::structure("Attribute", {Ttlv::textString("VendorIdentification", "cosmian"),
                                                                   Ttlv::textString("AttributeName", "wrapping_key_id"),
                                                                   Ttlv::textString("AttributeValue", uid)})});
  CHECK(WrappingKeys::requestedKeyId(f.as("alice"), asked) == uid);
  const auto forAdmin = WrappingKeys::forNewObject(f.as("admin"), asked, kms::kmip::ObjectType::SymmetricKey);
  REQUIRE(forAdmin);
  CHECK(forAdmin->canonical == uid);
  CHECK(forAdmin->info.type == kms::hsm::KeyType::Aes);
  // Public keys are never wrapped, whatever is asked.
  CHECK_FALSE(WrappingKeys::forNewObject(f.as("admin"), asked, kms::kmip::ObjectType::PublicKey));
  try {
    (void)WrappingKeys::forNewObject(f.as("mallory"), asked, kms::kmip::ObjectType::SymmetricKey);
    FAIL("mallory may not wrap under the key");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(std::string(e.what()) == "object '" + uid + "' not found");
  }
  CHECK(WrappingKeys::forServer(f.as("mallory"), uid).canonical == uid);
  // No key asked for and no KEK configured: nothing wraps.
  CHECK_FALSE(
      WrappingKeys::forNewObject(f.as("alice"), Ttlv::structure("Attributes"), kms::kmip::ObjectType::SymmetricKey));
}

TEST_CASE("WrapCipher: AES key wrap when the token takes the length, else the envelope; never AES-GCM") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("wrap-aes");
  f.instance().generateAes(f.slot(), label, 256, {.sensitive = true});
  const auto key = WrappingKeys::forServer(f.as("admin"), f.uidOf(label));
  CHECK(roundTrip(key, materialOf(32)) == Kind::AesKeyWrapPad);
  // SoftHSM2 key-wraps whole 8-byte blocks only: 33 bytes go into the envelope.
  CHECK(roundTrip(key, materialOf(33)) == Kind::AesEnvelope);
}

TEST_CASE("WrapCipher: RSA-OAEP when the material fits one block, else RSA-AES; the private half unwraps") {
  auto& f = fixture();
  const auto label = HsmFixture::unique("wrap-rsa");
  f.instance().generateRsa(f.slot(), label, 2048, {.sensitive = true});
  for (const auto& uid : {f.uidOf(label), f.uidOf(label) + "_pk"}) {
    CAPTURE(uid);
    const auto key = WrappingKeys::forServer(f.as("admin"), uid);
    CHECK(key.wrapRef.label == label + (uid.ends_with("_pk") ? "_pk" : ""));
    CHECK(key.unwrapRef.label == label);
    CHECK(roundTrip(key, materialOf(32)) == Kind::RsaOaep);
    const auto pair = kms::keys::KeyGenerator::rsa(2048);
    CHECK(roundTrip(key, pair.privatePkcs1Der) == Kind::RsaAes);
  }
}

TEST_CASE("KeyWrappingData: the stored form, and what is no wrapped block") {
  const auto parameters = WrapScheme::aesParameters(Kind::AesKeyWrapPad);
  const auto block = KeyWrappingData::write(clearBlock(), kms::kmip::KeyFormatType::Raw,
                                            {kms::keys::Bytes(40, 9), parameters}, "hsm::softhsm2::1::kek");
  CHECK(block.tag() == "KeyBlock");
  CHECK(block.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kms::kmip::KeyFormatType::Raw));
  CHECK(block.at("KeyValue").asBytes() == kms::keys::Bytes(40, 9));
  CHECK(block.at("CryptographicLength").asInteger() == 256);
  const auto& data = block.at("KeyWrappingData");
  CHECK(data.at("WrappingMethod").asEnumeration() == static_cast<std::uint32_t>(kms::kmip::WrappingMethod::Encrypt));
  CHECK(data.at("EncryptionKeyInformation").at("UniqueIdentifier").asText() == "hsm::softhsm2::1::kek");
  CHECK(data.at("EncodingOption").asEnumeration() == static_cast<std::uint32_t>(kms::kmip::EncodingOption::NoEncoding));
  CHECK(data.find("IVCounterNonce") == nullptr);  // only the legacy AES-GCM wrap had one

  const auto stored = KeyWrappingData::read(block, "u1");
  CHECK(KeyWrappingData::scheme(stored.wrappingData) == Kind::AesKeyWrapPad);
  CHECK(KeyWrappingData::parameters(stored.wrappingData) == parameters);

  try {
    (void)KeyWrappingData::read(clearBlock(), "u1");
    FAIL("a clear block is no wrapped block");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == ErrorCode::InternalError);
    CHECK(std::string(e.what()) == "stored object u1 is not a wrapped key block");
  }
  const auto noParameters = Ttlv::structure("KeyWrappingData", {});
  CHECK_THROWS_AS((void)KeyWrappingData::parameters(noParameters), kms::Exception);
}
