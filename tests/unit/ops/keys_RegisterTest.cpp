// Register and Import through RequestProcessor: keys as given, validated.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;

Ttlv importRequest(const std::string& uid, bool replace, const Bytes& key) {
  return Ttlv::structure(
      "Import",
      {Ttlv::textString("UniqueIdentifier", uid), enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
       Ttlv::boolean("ReplaceExisting", replace), enumItem("KeyWrapType", kmip::KeyWrapType::AsRegistered),
       Ttlv::structure("Attributes", {mask(M::Encrypt | M::Decrypt), activeNow()}),
       // Cosmian clients tag the object "Object".
       Ttlv::structure("Object", {Ttlv::structure(
                                     "KeyBlock", {enumItem("KeyFormatType", kmip::KeyFormatType::Raw),
                                                  Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", key)}),
                                                  enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                                  Ttlv::integer("CryptographicLength",
                                                                static_cast<std::int32_t>(key.size() * 8))})})});
}

}  // namespace

TEST_CASE_FIXTURE(Fixture,
                  "Register a symmetric key: Active at once with a past ActivationDate, Get returns it as given") {
  const auto key = hex("0123456789abcdef0123456789abcdef");
  const auto uid = registerAes(key, M::Encrypt | M::Decrypt);
  const auto response = get(uid);
  CHECK(response.at("ObjectType").asEnumeration() == static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey));
  CHECK(response.at("UniqueIdentifier").asText() == uid);
  const auto& block = keyBlockOf(response, "SymmetricKey");
  CHECK(block.at("KeyValue").at("KeyMaterial").asBytes() == key);
  CHECK(block.at("CryptographicLength").asInteger() == 128);
  const auto attributes =
      run(Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", uid)})).at("Attributes");
  CHECK(attributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::Active));
}

TEST_CASE_FIXTURE(Fixture,
                  "Register a PKCS_1 public key (BL-M-6) and a PKCS_1 private key; Get returns the same bytes") {
  const auto& pair = sharedRsaPair();
  const auto publicUid = registerKey(
      kmip::ObjectType::PublicKey, kmip::KeyFormatType::PKCS_1, Ttlv::byteString("KeyMaterial", pair.publicPkcs1Der),
      kmip::CryptographicAlgorithm::RSA, 2048, {Ttlv::dateTime("ActivationDate", 949413600), mask(M::Encrypt)});
  const auto& block = keyBlockOf(get(publicUid), "PublicKey");
  CHECK(block.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::PKCS_1));
  CHECK(block.at("KeyValue").at("KeyMaterial").asBytes() == pair.publicPkcs1Der);
  CHECK(block.at("CryptographicLength").asInteger() == 2048);

  const Bytes privateDer(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end());
  const auto privateUid = registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                                      Ttlv::byteString("KeyMaterial", privateDer), kmip::CryptographicAlgorithm::RSA,
                                      2048, {mask(M::Sign)});
  CHECK(keyBlockOf(get(privateUid), "PrivateKey").at("KeyValue").at("KeyMaterial").asBytes() == privateDer);
}

TEST_CASE_FIXTURE(Fixture, "Register refuses key material that does not parse or contradicts its attributes") {
  // An AES key of 15 bytes.
  CHECK(failure(Ttlv::structure(
            "Register",
            {enumItem("ObjectType", kmip::ObjectType::SymmetricKey), Ttlv::structure("Attributes", {mask(M::Encrypt)}),
             Ttlv::structure(
                 "SymmetricKey",
                 {Ttlv::structure("KeyBlock",
                                  {enumItem("KeyFormatType", kmip::KeyFormatType::Raw),
                                   Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", Bytes(15, 1))}),
                                   enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                   Ttlv::integer("CryptographicLength", 120)})})})) == ErrorCode::InvalidField);
  // CryptographicLength 256 for a 128-bit key.
  CHECK(failure(Ttlv::structure(
            "Register",
            {enumItem("ObjectType", kmip::ObjectType::SymmetricKey), Ttlv::structure("Attributes", {mask(M::Encrypt)}),
             Ttlv::structure(
                 "SymmetricKey",
                 {Ttlv::structure("KeyBlock",
                                  {enumItem("KeyFormatType", kmip::KeyFormatType::Raw),
                                   Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", Bytes(16, 1))}),
                                   enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                   Ttlv::integer("CryptographicLength", 256)})})})) == ErrorCode::InvalidField);
  // A "private key" that is not DER.
  bool refused = false;
  try {
    (void)registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                      Ttlv::byteString("KeyMaterial", Bytes(300, 7)), kmip::CryptographicAlgorithm::RSA, 2048,
                      {mask(M::Sign)});
  } catch (const Exception& e) {
    refused = e.code() == ErrorCode::InvalidField;
  }
  CHECK(refused);
  // A public key in a private key's place (PKCS_1 public DER registered as PrivateKey).
  refused = false;
  try {
    (void)registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                      Ttlv::byteString("KeyMaterial", sharedRsaPair().publicPkcs1Der),
                      kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign)});
  } catch (const Exception& e) {
    refused = e.code() == ErrorCode::InvalidField;
  }
  CHECK(refused);
  // The object is missing.
  CHECK(failure(Ttlv::structure("Register", {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
                                             Ttlv::structure("Attributes", {})})) == ErrorCode::MissingData);
  // An unreadable format for a symmetric key.
  CHECK(failure(Ttlv::structure(
            "Register",
            {enumItem("ObjectType", kmip::ObjectType::SymmetricKey), Ttlv::structure("Attributes", {}),
             Ttlv::structure(
                 "SymmetricKey",
                 {Ttlv::structure(
                     "KeyBlock", {enumItem("KeyFormatType", kmip::KeyFormatType::PKCS_8),
                                  Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", Bytes(16, 1))})})})})) ==
        ErrorCode::KeyFormatNotSupported);
}

TEST_CASE_FIXTURE(Fixture, "Import: the client's uid, AlreadyExists unless ReplaceExisting, an empty uid picks one") {
  const auto first = hex("000102030405060708090a0b0c0d0e0f");
  const auto second = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  CHECK(run(importRequest("imported-key", false, first)).at("UniqueIdentifier").asText() == "imported-key");
  CHECK(keyBlockOf(get("imported-key"), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes() == first);
  CHECK(failure(importRequest("imported-key", false, second)) == ErrorCode::AlreadyExists);
  CHECK(run(importRequest("imported-key", true, second)).at("UniqueIdentifier").asText() == "imported-key");
  CHECK(keyBlockOf(get("imported-key"), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes() == second);
  const auto generated = run(importRequest("", false, first)).at("UniqueIdentifier").asText();
  CHECK(!generated.empty());
  CHECK(generated != "imported-key");
  // Someone else cannot replace alice's key.
  RequestContext bob{"bob"};
  bool refused = false;
  try {
    (void)run(importRequest("imported-key", true, first), &bob);
  } catch (const Exception& e) {
    refused = e.code() == ErrorCode::NotFound;
  }
  CHECK(refused);
}

}  // namespace kms::ops::keystest
