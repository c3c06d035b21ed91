// Create and Create Key Pair through RequestProcessor.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;

Ttlv createRequest(std::vector<Ttlv> attributes, kmip::ObjectType type = kmip::ObjectType::SymmetricKey) {
  return Ttlv::structure("Create",
                         {enumItem("ObjectType", type), Ttlv::structure("Attributes", std::move(attributes))});
}

Ttlv getAttributes(Fixture& f, const std::string& uid) {
  return f.run(Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", uid)})).at("Attributes");
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "Create AES 128/192/256 (SKFF-M-1..3): Raw key of that length, attributes set") {
  for (std::int32_t bits : {128, 192, 256}) {
    CAPTURE(bits);
    const auto response =
        run(createRequest({enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                           Ttlv::integer("CryptographicLength", bits), mask(M::Decrypt | M::Encrypt)}));
    CHECK(response.at("ObjectType").asEnumeration() == static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey));
    const auto uid = response.at("UniqueIdentifier").asText();
    const auto& block = keyBlockOf(get(uid), "SymmetricKey");
    CHECK(block.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::Raw));
    CHECK(block.at("KeyValue").at("KeyMaterial").asBytes().size() == static_cast<std::size_t>(bits / 8));
    CHECK(block.at("CryptographicAlgorithm").asEnumeration() ==
          static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES));
    CHECK(block.at("CryptographicLength").asInteger() == bits);
    const auto attributes = getAttributes(*this, uid);
    CHECK(attributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::PreActive));
    CHECK(attributes.at("CryptographicLength").asInteger() == bits);
    CHECK(attributes.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::Raw));
  }
}

TEST_CASE_FIXTURE(Fixture, "Create defaults: AES-256, a usage mask, Sensitive false, Extractable true") {
  const auto uid = run(createRequest({})).at("UniqueIdentifier").asText();
  const auto& block = keyBlockOf(get(uid), "SymmetricKey");
  CHECK(block.at("KeyValue").at("KeyMaterial").asBytes().size() == 32);
  const auto attributes = getAttributes(*this, uid);
  CHECK(static_cast<std::uint32_t>(attributes.at("CryptographicUsageMask").asInteger()) ==
        (M::Encrypt | M::Decrypt | M::WrapKey | M::UnwrapKey));
  CHECK(attributes.at("Sensitive").asBoolean() == false);
  CHECK(attributes.at("Extractable").asBoolean() == true);
}

TEST_CASE_FIXTURE(Fixture, "Create stores a TransparentSymmetricKey when asked") {
  const auto uid = run(createRequest({Ttlv::integer("CryptographicLength", 128),
                                      enumItem("KeyFormatType", kmip::KeyFormatType::TransparentSymmetricKey)}))
                       .at("UniqueIdentifier")
                       .asText();
  const auto& block = keyBlockOf(get(uid), "SymmetricKey");
  CHECK(block.at("KeyFormatType").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::KeyFormatType::TransparentSymmetricKey));
  CHECK(block.at("KeyValue").at("KeyMaterial").at("Key").asBytes().size() == 16);
}

TEST_CASE_FIXTURE(Fixture, "Create refusals") {
  CHECK(failure(createRequest({enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::DES3)})) ==
        ErrorCode::FeatureNotSupported);
  CHECK(failure(createRequest({Ttlv::integer("CryptographicLength", 512)})) == ErrorCode::InvalidField);
  CHECK(failure(createRequest({}, kmip::ObjectType::PrivateKey)) == ErrorCode::IllegalObjectType);
  CHECK(failure(createRequest({enumItem("KeyFormatType", kmip::KeyFormatType::PKCS_1)})) ==
        ErrorCode::KeyFormatNotSupported);
  // QS-M-2: an AES-128 key that must be quantum safe -> GeneralFailure.
  const auto qs = createRequest({enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                 Ttlv::integer("CryptographicLength", 128), mask(M::Decrypt | M::Encrypt),
                                 Ttlv::boolean("QuantumSafe", true)});
  CHECK(reasonInMessage("Create", qs) == static_cast<std::uint32_t>(kmip::ResultReason::GeneralFailure));
  CHECK(reasonInMessage("Create", createRequest({Ttlv::integer("CryptographicLength", 256),
                                                 Ttlv::boolean("QuantumSafe", true)})) == 0);
}

TEST_CASE_FIXTURE(Fixture, "Create Key Pair (AKLC-M-1): RSA-2048, PKCS_1 both sides, links, usage masks, PreActive") {
  const auto response = run(Ttlv::structure(
      "CreateKeyPair",
      {Ttlv::structure("CommonAttributes", {enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA),
                                            Ttlv::integer("CryptographicLength", 2048)}),
       Ttlv::structure("PrivateKeyAttributes",
                       {Ttlv::structure("Name", {Ttlv::textString("NameValue", "AKLC-private"),
                                                 enumItem("NameType", kmip::NameType::UninterpretedTextString)}),
                        mask(M::Sign)}),
       Ttlv::structure("PublicKeyAttributes",
                       {Ttlv::structure("Name", {Ttlv::textString("NameValue", "AKLC-public"),
                                                 enumItem("NameType", kmip::NameType::UninterpretedTextString)}),
                        mask(M::Verify)})}));
  const auto privateUid = response.at("PrivateKeyUniqueIdentifier").asText();
  const auto publicUid = response.at("PublicKeyUniqueIdentifier").asText();
  CHECK(privateUid != publicUid);

  const auto privateAttributes = getAttributes(*this, privateUid);
  CHECK(privateAttributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::PreActive));
  CHECK(privateAttributes.at("CryptographicUsageMask").asInteger() == static_cast<std::int32_t>(M::Sign));
  CHECK(privateAttributes.at("CryptographicLength").asInteger() == 2048);
  CHECK(privateAttributes.at("KeyFormatType").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::KeyFormatType::PKCS_1));
  const auto& privateLink = privateAttributes.at("Link");
  CHECK(privateLink.at("LinkType").asEnumeration() == static_cast<std::uint32_t>(kmip::LinkType::PublicKeyLink));
  CHECK(privateLink.at("LinkedObjectIdentifier").asText() == publicUid);

  const auto publicAttributes = getAttributes(*this, publicUid);
  CHECK(publicAttributes.at("CryptographicUsageMask").asInteger() == static_cast<std::int32_t>(M::Verify));
  const auto& publicLink = publicAttributes.at("Link");
  CHECK(publicLink.at("LinkType").asEnumeration() == static_cast<std::uint32_t>(kmip::LinkType::PrivateKeyLink));
  CHECK(publicLink.at("LinkedObjectIdentifier").asText() == privateUid);

  const auto& privateBlock = keyBlockOf(get(privateUid), "PrivateKey");
  CHECK(privateBlock.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::PKCS_1));
  const auto& publicBlock = keyBlockOf(get(publicUid), "PublicKey");
  CHECK(publicBlock.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::PKCS_1));
  CHECK(publicBlock.at("CryptographicLength").asInteger() == 2048);

  // Not active yet: no signature.
  CHECK(failure(Ttlv::structure(
            "Sign", {Ttlv::textString("UniqueIdentifier", privateUid), Ttlv::byteString("Data", Bytes{1, 2, 3})})) ==
        ErrorCode::WrongKeyLifecycleState);
}

TEST_CASE_FIXTURE(Fixture, "Create Key Pair refusals") {
  auto pair = [](std::vector<Ttlv> common, std::vector<Ttlv> privateSide = {}) {
    return Ttlv::structure("CreateKeyPair", {Ttlv::structure("CommonAttributes", std::move(common)),
                                             Ttlv::structure("PrivateKeyAttributes", std::move(privateSide))});
  };
  CHECK(failure(pair({enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::EC)})) ==
        ErrorCode::FeatureNotSupported);
  const auto rsa = [] { return enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA); };
  CHECK(failure(pair({rsa(), Ttlv::integer("CryptographicLength", 1024)})) == ErrorCode::InvalidField);
  CHECK(failure(pair({rsa(), Ttlv::integer("CryptographicLength", 2048)},
                     {Ttlv::integer("CryptographicLength", 3072)})) == ErrorCode::InvalidField);
  // No algorithm anywhere: refused, not a default RSA pair.
  CHECK(failure(Ttlv::structure("CreateKeyPair", {})) == ErrorCode::MissingData);
  CHECK(failure(pair({Ttlv::integer("CryptographicLength", 2048)})) == ErrorCode::MissingData);
}

}  // namespace kms::ops::keystest

namespace kms::ops::keystest {

TEST_CASE_FIXTURE(Fixture, "Create with Cosmian tags, then Encrypt through a tag selector") {
  const std::string tags = R"(["opskeys-tag"])";
  const auto uid =
      run(Ttlv::structure(
              "Create",
              {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
               Ttlv::structure(
                   "Attributes",
                   {enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                    Ttlv::integer("CryptographicLength", 256), activeNow(),
                    Ttlv::structure(
                        "VendorAttributes",
                        {Ttlv::structure("VendorAttributes",
                                         {Ttlv::textString("VendorIdentification", "cosmian"),
                                          Ttlv::textString("AttributeName", "tag"),
                                          Ttlv::byteString("AttributeValue", Bytes(tags.begin(), tags.end()))})})})}))
          .at("UniqueIdentifier")
          .asText();
  const auto response = run(
      Ttlv::structure("Encrypt", {Ttlv::textString("UniqueIdentifier", tags), Ttlv::byteString("Data", Bytes(5, 1))}));
  CHECK(response.at("UniqueIdentifier").asText() == uid);
}

TEST_CASE_FIXTURE(Fixture, "Create, Create Key Pair and Register honour a client-chosen UniqueIdentifier") {
  auto named = [](const std::string& uid) { return Ttlv::textString("UniqueIdentifier", uid); };
  CHECK(run(createRequest({named("my_sym_key")})).at("UniqueIdentifier").asText() == "my_sym_key");
  CHECK(getAttributes(*this, "my_sym_key").at("UniqueIdentifier").asText() == "my_sym_key");
  CHECK(keyBlockOf(get("my_sym_key"), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes().size() == 32);
  // Taken: refused, the first key untouched.
  CHECK(failure(createRequest({named("my_sym_key")})) == ErrorCode::AlreadyExists);
  CHECK(getAttributes(*this, "my_sym_key").at("CryptographicLength").asInteger() == 256);

  // A pair: the private key's name, the public key's with _pk, unless it has its own.
  const auto pair = run(Ttlv::structure(
      "CreateKeyPair",
      {Ttlv::structure("CommonAttributes", {enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA),
                                            Ttlv::integer("CryptographicLength", 2048)}),
       Ttlv::structure("PrivateKeyAttributes", {named("mykey")})}));
  CHECK(pair.at("PrivateKeyUniqueIdentifier").asText() == "mykey");
  CHECK(pair.at("PublicKeyUniqueIdentifier").asText() == "mykey_pk");
  CHECK(getAttributes(*this, "mykey_pk").at("Link").at("LinkedObjectIdentifier").asText() == "mykey");
  const auto both = run(Ttlv::structure(
      "CreateKeyPair",
      {Ttlv::structure("CommonAttributes",
                       {named("pair-1"), enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA)}),
       Ttlv::structure("PublicKeyAttributes", {named("pair-1-pub")})}));
  CHECK(both.at("PrivateKeyUniqueIdentifier").asText() == "pair-1");
  CHECK(both.at("PublicKeyUniqueIdentifier").asText() == "pair-1-pub");
  // The public key's name taken: nothing is stored, the private key's name stays free.
  CHECK(failure(Ttlv::structure(
            "CreateKeyPair",
            {Ttlv::structure("PrivateKeyAttributes",
                             {named("other"), enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA)}),
             Ttlv::structure("PublicKeyAttributes", {named("mykey")})})) == ErrorCode::AlreadyExists);
  CHECK(failure(Ttlv::structure("GetAttributes", {named("other")})) == ErrorCode::NotFound);

  const Bytes material(16, 7);
  const auto registered = run(Ttlv::structure(
      "Register",
      {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
       Ttlv::structure("Attributes", {named("registered-1"), mask(M::Encrypt)}),
       Ttlv::structure(
           "SymmetricKey",
           {Ttlv::structure("KeyBlock", {enumItem("KeyFormatType", kmip::KeyFormatType::Raw),
                                         Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", material)}),
                                         enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                         Ttlv::integer("CryptographicLength", 128)})})}));
  CHECK(registered.at("UniqueIdentifier").asText() == "registered-1");
  CHECK(keyBlockOf(get("registered-1"), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes() == material);
}

TEST_CASE_FIXTURE(Fixture, "a client-chosen UniqueIdentifier must be printable, bounded and not hsm::") {
  auto named = [](const std::string& uid) { return Ttlv::textString("UniqueIdentifier", uid); };
  CHECK(failure(createRequest({named(std::string(256, 'k'))})) == ErrorCode::InvalidField);
  CHECK(run(createRequest({named(std::string(255, 'k'))})).at("UniqueIdentifier").asText().size() == 255);
  CHECK(failure(createRequest({named("line\nbreak")})) == ErrorCode::InvalidField);
  CHECK(failure(createRequest({Ttlv::integer("UniqueIdentifier", 7)})) == ErrorCode::InvalidField);
  // Register cannot take the HSM form (Create routes it to the HSM; no HSM here: refused too).
  CHECK(failure(Ttlv::structure(
            "Register",
            {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
             Ttlv::structure("Attributes", {named("hsm::softhsm2::1::k"), mask(M::Encrypt)}),
             Ttlv::structure(
                 "SymmetricKey",
                 {Ttlv::structure("KeyBlock",
                                  {enumItem("KeyFormatType", kmip::KeyFormatType::Raw),
                                   Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", Bytes(16, 1))}),
                                   enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                   Ttlv::integer("CryptographicLength", 128)})})})) == ErrorCode::InvalidField);
  // An empty one asks for nothing: the server picks.
  CHECK_FALSE(run(createRequest({named("")})).at("UniqueIdentifier").asText().empty());
}

}  // namespace kms::ops::keystest
