// KMIP 1.x on the 2.1 operations (ops/kmip1): a 1.x RequestMessage through a real
// RequestProcessor on a real SQLite store, its payload mapped to 2.1 and the answer back to 1.x.
#include <doctest/doctest.h>

#include <set>
#include <tuple>

#include "kms/kmip/BinaryCodec.hpp"
#include "kms/ops/kmip1/AttributeNames.hpp"
#include "kms/ops/kmip1/Payloads.hpp"
#include "kms/ops/kmip1/Translator.hpp"
#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::Ttlv;

namespace {

Ttlv attribute1x(const std::string& name, Ttlv value, std::optional<std::int32_t> index = {}) {
  Ttlv out = Ttlv::structure("Attribute", {Ttlv::textString("AttributeName", name)});
  if (index) out.add(Ttlv::integer("AttributeIndex", *index));
  out.add(value.withTag("AttributeValue"));
  return out;
}

Ttlv name1x(const std::string& text) {
  return attribute1x("Name", Ttlv::structure("AttributeValue",
                                             {Ttlv::textString("NameValue", text), Ttlv::enumeration("NameType", 1)}));
}

// One 1.`minor` batch item through the processor; returns the response BatchItem.
Ttlv single1x(Fixture& f, Operation operation, std::vector<Ttlv> payload, std::int32_t minor = 4) {
  HeaderOptions options;
  options.major = 1;
  options.minor = minor;
  const auto response = f.process(requestMessage({batchItem(operation, std::move(payload))}, options));
  CHECK(response.at("ResponseHeader").at("ProtocolVersion").at("ProtocolVersionMajor").asInteger() == 1);
  CHECK(response.at("ResponseHeader").at("ProtocolVersion").at("ProtocolVersionMinor").asInteger() == minor);
  return batchItems(response).at(0);
}

// The 1.x Attribute structures of a GetAttributes answer, by name.
std::vector<const Ttlv*> attributesNamed(const Ttlv& payload, const std::string& name) {
  std::vector<const Ttlv*> out;
  for (const auto* a : payload.findAll("Attribute")) {
    if (a->at("AttributeName").asText() == name) out.push_back(a);
  }
  return out;
}

constexpr std::uint32_t kAes = 3;
constexpr std::uint32_t kRsa = 4;

}  // namespace

TEST_CASE("1.x names map to 2.1 attributes and back, custom x- attributes to vendor x") {
  using ops::kmip1::keyOfName;
  using ops::kmip1::nameOf;
  CHECK(keyOfName("Cryptographic Algorithm")->tag == "CryptographicAlgorithm");
  CHECK(keyOfName("X.509 Certificate Identifier")->tag == "X_509CertificateIdentifier");
  CHECK(*nameOf(*keyOfName("PKCS#12 Friendly Name")) == "PKCS#12 Friendly Name");
  const auto custom = keyOfName("x-ID");
  REQUIRE(custom);
  CHECK(custom->isVendor());
  CHECK(custom->vendor == "x");
  CHECK(custom->name == "ID");
  CHECK(*nameOf(*custom) == "x-ID");
  CHECK(*nameOf(ops::attributes::AttributeKey{"Attribute", "cosmian", "tag"}) == "y-cosmian:tag");
  CHECK(keyOfName("y-cosmian:tag")->vendor == "cosmian");
  CHECK_FALSE(keyOfName("Operation Policy Name"));   // removed in 2.0: nothing kmsd keeps
  CHECK_FALSE(keyOfName("CryptographicAlgorithm"));  // the 2.1 tag is not a 1.x name
  CHECK_FALSE(nameOf(ops::attributes::AttributeKey{"ShortUniqueIdentifier", {}, {}}));  // 2.x only
}

TEST_CASE("a 1.x TemplateAttribute becomes a 2.1 Attributes structure of typed items") {
  const Ttlv payload = Ttlv::structure(
      "RequestPayload",
      {Ttlv::enumeration("ObjectType", 2),
       Ttlv::structure("TemplateAttribute", {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kAes)),
                                             attribute1x("x-ID", Ttlv::textString("x", "k-1"))})});
  const Ttlv v2 = ops::kmip1::Payloads::requestToV2(Operation::Create, payload);
  CHECK(v2.find("TemplateAttribute") == nullptr);
  const auto& attributes = v2.at("Attributes");
  CHECK(attributes.at("CryptographicAlgorithm").asEnumeration() == kAes);
  CHECK(attributes.at("Attribute").at("VendorIdentification").asText() == "x");
  CHECK(attributes.at("Attribute").at("AttributeName").asText() == "ID");
  CHECK(attributes.at("Attribute").at("AttributeValue").asText() == "k-1");
  // A Template object reference: 1.x Templates are gone in 2.0.
  const Ttlv withTemplate = Ttlv::structure(
      "RequestPayload",
      {Ttlv::structure("TemplateAttribute", {Ttlv::structure("Name", {Ttlv::textString("NameValue", "t")})})});
  CHECK(errorOf([&] { (void)ops::kmip1::Payloads::requestToV2(Operation::Create, withTemplate); }) ==
        ErrorCode::FeatureNotSupported);
}

TEST_CASE("1.4 Create, GetAttributes by 1.x names, GetAttributeList: answers in 1.x form") {
  Fixture f;
  const auto created =
      single1x(f, Operation::Create,
               {Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey)),
                Ttlv::structure("TemplateAttribute",
                                {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kAes)),
                                 attribute1x("Cryptographic Length", Ttlv::integer("x", 128)),
                                 attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x0C)), name1x("k1"),
                                 name1x("k1-alias"), attribute1x("x-ID", Ttlv::textString("x", "k-1"))})});
  REQUIRE(succeeded(created));
  const std::string key = payloadOf(created).at("UniqueIdentifier").asText();

  const auto got = single1x(
      f, Operation::GetAttributes,
      {uid(key), Ttlv::textString("AttributeName", "Cryptographic Length"), Ttlv::textString("AttributeName", "Name"),
       Ttlv::textString("AttributeName", "x-ID"), Ttlv::textString("AttributeName", "Operation Policy Name")});
  REQUIRE(succeeded(got));
  const auto& payload = payloadOf(got);
  CHECK(payload.find("Attributes") == nullptr);
  const auto lengths = attributesNamed(payload, "Cryptographic Length");
  REQUIRE(lengths.size() == 1);
  CHECK(lengths[0]->at("AttributeValue").asInteger() == 128);
  const auto names = attributesNamed(payload, "Name");
  REQUIRE(names.size() == 2);
  CHECK(names[0]->find("AttributeIndex") == nullptr);  // index 0 may be omitted
  CHECK(names[1]->at("AttributeIndex").asInteger() == 1);
  CHECK(names[1]->at("AttributeValue").at("NameValue").asText() == "k1-alias");
  REQUIRE(attributesNamed(payload, "x-ID").size() == 1);
  CHECK(attributesNamed(payload, "x-ID")[0]->at("AttributeValue").asText() == "k-1");
  CHECK(payload.findAll("Attribute").size() == 4);  // nothing else, no Operation Policy Name

  // Only names kmsd does not keep: an answer with no attribute, not every attribute.
  const auto none =
      single1x(f, Operation::GetAttributes, {uid(key), Ttlv::textString("AttributeName", "Operation Policy Name")});
  REQUIRE(succeeded(none));
  CHECK(payloadOf(none).findAll("Attribute").empty());

  const auto list = single1x(f, Operation::GetAttributeList, {uid(key)});
  REQUIRE(succeeded(list));
  std::vector<std::string> listed;
  for (const auto* n : payloadOf(list).findAll("AttributeName")) listed.push_back(n->asText());
  CHECK(payloadOf(list).find("AttributeReference") == nullptr);
  CHECK(std::find(listed.begin(), listed.end(), "Cryptographic Algorithm") != listed.end());
  CHECK(std::find(listed.begin(), listed.end(), "x-ID") != listed.end());
  CHECK(std::find(listed.begin(), listed.end(), "Object Type") != listed.end());
}

TEST_CASE("1.x CreateKeyPair templates set each side's attributes") {
  Fixture f;
  const auto created = single1x(
      f, Operation::CreateKeyPair,
      {Ttlv::structure("CommonTemplateAttribute", {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kRsa)),
                                                   attribute1x("Cryptographic Length", Ttlv::integer("x", 2048))}),
       Ttlv::structure("PrivateKeyTemplateAttribute",
                       {name1x("pair-private"), attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x01))}),
       Ttlv::structure("PublicKeyTemplateAttribute",
                       {name1x("pair-public"), attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x02))})},
      2);
  REQUIRE(succeeded(created));
  const auto privateKey = payloadOf(created).at("PrivateKeyUniqueIdentifier").asText();
  const auto got = single1x(f, Operation::GetAttributes,
                            {uid(privateKey), Ttlv::textString("AttributeName", "Cryptographic Usage Mask"),
                             Ttlv::textString("AttributeName", "Name")},
                            2);
  REQUIRE(succeeded(got));
  CHECK(attributesNamed(payloadOf(got), "Cryptographic Usage Mask").at(0)->at("AttributeValue").asInteger() == 0x01);
  CHECK(attributesNamed(payloadOf(got), "Name").at(0)->at("AttributeValue").at("NameValue").asText() == "pair-private");
}

TEST_CASE("1.x CreateKeyPair templates from binary TTLV set each side's attributes") {
  // As a 1.x client sends it: the template tags travel by code (0x42001F, 0x420065, 0x42006E),
  // and the decoder names them; 0x420065 once came back as 2.1's "Reserved".
  HeaderOptions options;
  options.major = 1;
  options.minor = 4;
  const auto wire = kmip::BinaryCodec::encode(requestMessage(
      {batchItem(
          Operation::CreateKeyPair,
          {Ttlv::structure("CommonTemplateAttribute",
                           {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kRsa)),
                            attribute1x("Cryptographic Length", Ttlv::integer("x", 2048))}),
           Ttlv::structure("PrivateKeyTemplateAttribute",
                           {name1x("bin-private"), attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x01))}),
           Ttlv::structure(
               "PublicKeyTemplateAttribute",
               {name1x("bin-public"), attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x02))})})},
      options));
  const auto decoded = kmip::BinaryCodec::decode(wire);
  const auto& payload = decoded.at("BatchItem").at("RequestPayload");
  CHECK(payload.find("PrivateKeyTemplateAttribute") != nullptr);
  CHECK(payload.find("PublicKeyTemplateAttribute") != nullptr);
  CHECK(payload.find("CommonTemplateAttribute") != nullptr);

  Fixture f;
  const auto created = batchItems(f.process(decoded)).at(0);
  REQUIRE(succeeded(created));
  for (const auto& [id, name, mask] : {std::tuple{"PrivateKeyUniqueIdentifier", "bin-private", 0x01},
                                       std::tuple{"PublicKeyUniqueIdentifier", "bin-public", 0x02}}) {
    const auto got = single1x(
        f, Operation::GetAttributes,
        {uid(payloadOf(created).at(id).asText()), Ttlv::textString("AttributeName", "Cryptographic Usage Mask"),
         Ttlv::textString("AttributeName", "Name"), Ttlv::textString("AttributeName", "Cryptographic Length")});
    REQUIRE(succeeded(got));
    CHECK(attributesNamed(payloadOf(got), "Cryptographic Usage Mask").at(0)->at("AttributeValue").asInteger() == mask);
    CHECK(attributesNamed(payloadOf(got), "Name").at(0)->at("AttributeValue").at("NameValue").asText() == name);
    CHECK(attributesNamed(payloadOf(got), "Cryptographic Length").at(0)->at("AttributeValue").asInteger() == 2048);
  }
}

TEST_CASE("1.x Add, Modify and Delete Attribute address instances by AttributeIndex") {
  Fixture f;
  const auto key = f.addKey("alice", "first");
  const auto added = single1x(f, Operation::AddAttribute, {uid(key), name1x("second")});
  REQUIRE(succeeded(added));
  CHECK(payloadOf(added).at("Attribute").at("AttributeIndex").asInteger() == 1);

  const auto modified =
      single1x(f, Operation::ModifyAttribute,
               {uid(key), attribute1x("Name",
                                      Ttlv::structure("x", {Ttlv::textString("NameValue", "second-renamed"),
                                                            Ttlv::enumeration("NameType", 1)}),
                                      1)});
  REQUIRE(succeeded(modified));
  CHECK(payloadOf(modified).at("Attribute").at("AttributeValue").at("NameValue").asText() == "second-renamed");

  const auto deleted =
      single1x(f, Operation::DeleteAttribute,
               {uid(key), Ttlv::textString("AttributeName", "Name"), Ttlv::integer("AttributeIndex", 0)});
  REQUIRE(succeeded(deleted));
  CHECK(payloadOf(deleted).at("Attribute").at("AttributeValue").at("NameValue").asText() == "first");
  const auto object = f.load(key);
  const auto remaining = object.attributes.findAll("Name");
  REQUIRE(remaining.size() == 1);
  CHECK(remaining[0]->at("NameValue").asText() == "second-renamed");

  const auto outOfBounds =
      single1x(f, Operation::DeleteAttribute,
               {uid(key), Ttlv::textString("AttributeName", "Name"), Ttlv::integer("AttributeIndex", 5)});
  CHECK_FALSE(succeeded(outOfBounds));
  // Another user learns nothing: the same not-found answer as for a missing object.
  const auto stranger = f.process(
      requestMessage({batchItem(Operation::DeleteAttribute, {uid(key), Ttlv::textString("AttributeName", "Name")})},
                     HeaderOptions{1, 4, {}, {}, {}}),
      "mallory");
  CHECK(failure(batchItems(stranger).at(0)) == ErrorCode::NotFound);
}

TEST_CASE("1.x answers use 1.x result reasons and Query lists only what the version defines") {
  CHECK(ops::kmip1::Translator::resultReason(0x43, 4) == 0x0C);   // WrongKeyLifecycleState
  CHECK(ops::kmip1::Translator::resultReason(0x16, 4) == 0x16);   // Sensitive (1.4)
  CHECK(ops::kmip1::Translator::resultReason(0x16, 2) == 0x100);  // not in 1.2
  CHECK(ops::kmip1::Translator::resultReason(0x01, 0) == 0x01);

  Fixture f;
  const auto key = f.addKey("alice", "k");
  single1x(f, Operation::Activate, {uid(key)});
  // Destroying an Active key: 2.1 says WrongKeyLifecycleState, 1.4 Permission Denied.
  const auto destroyed = single1x(f, Operation::Destroy, {uid(key)});
  REQUIRE_FALSE(succeeded(destroyed));
  CHECK(destroyed.at("ResultReason").asEnumeration() == 0x0C);

  const auto query =
      single1x(f, Operation::Query, {Ttlv::enumeration("QueryFunction", 1), Ttlv::enumeration("QueryFunction", 2)}, 0);
  REQUIRE(succeeded(query));
  const auto operations = payloadOf(query).findAll("Operation");
  CHECK_FALSE(operations.empty());
  for (const auto* op : operations) CHECK(op->asEnumeration() <= 0x1C);  // 1.0 ends at Put
  bool create = false;
  for (const auto* op : operations) create = create || op->asEnumeration() == 1;
  CHECK(create);
}

TEST_CASE("a 1.x answer names only the attributes of its version") {
  Fixture f;
  const auto created = single1x(
      f, Operation::Create,
      {Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey)),
       Ttlv::structure("TemplateAttribute", {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kAes)),
                                             attribute1x("Cryptographic Length", Ttlv::integer("x", 128)),
                                             attribute1x("Description", Ttlv::textString("x", "a 1.4 text"))})});
  REQUIRE(succeeded(created));
  const std::string key = payloadOf(created).at("UniqueIdentifier").asText();
  // Original Creation Date came with 1.2, Description with 1.4.
  const auto namesAt = [&](std::int32_t minor) {
    const auto all = single1x(f, Operation::GetAttributes, {uid(key)}, minor);
    REQUIRE(succeeded(all));
    std::set<std::string> names;
    for (const auto* a : payloadOf(all).findAll("Attribute")) names.insert(a->at("AttributeName").asText());
    const auto list = single1x(f, Operation::GetAttributeList, {uid(key)}, minor);
    REQUIRE(succeeded(list));
    std::set<std::string> listed;
    for (const auto* n : payloadOf(list).findAll("AttributeName")) listed.insert(n->asText());
    CHECK(listed == names);
    return names;
  };
  const auto v10 = namesAt(0);
  CHECK(v10.count("Cryptographic Length") == 1);
  CHECK(v10.count("Original Creation Date") == 0);
  CHECK(v10.count("Description") == 0);
  const auto v12 = namesAt(2);
  CHECK(v12.count("Original Creation Date") == 1);
  CHECK(v12.count("Description") == 0);
  const auto v14 = namesAt(4);
  CHECK(v14.count("Description") == 1);
}

TEST_CASE("before 1.4 the AES-GCM tag ends Data: Encrypt appends it, Decrypt splits it off") {
  Fixture f;
  const auto created = single1x(
      f, Operation::Create,
      {Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey)),
       Ttlv::structure("TemplateAttribute", {attribute1x("Cryptographic Algorithm", Ttlv::enumeration("x", kAes)),
                                             attribute1x("Cryptographic Length", Ttlv::integer("x", 256)),
                                             attribute1x("Cryptographic Usage Mask", Ttlv::integer("x", 0x0C))})});
  REQUIRE(succeeded(created));
  const std::string key = payloadOf(created).at("UniqueIdentifier").asText();
  REQUIRE(succeeded(single1x(f, Operation::Activate, {uid(key)})));
  const Ttlv::Bytes message{'k', 'm', 's', 'd', ' ', 'o', 'v', 'e', 'r', ' ', '1', '.', '2'};

  const auto encrypted = single1x(f, Operation::Encrypt, {uid(key), Ttlv::byteString("Data", message)}, 2);
  REQUIRE(succeeded(encrypted));
  const auto& e = payloadOf(encrypted);
  CHECK(e.find("AuthenticatedEncryptionTag") == nullptr);
  const auto& joined = e.at("Data").asBytes();
  REQUIRE(joined.size() == message.size() + 16);
  const auto iv = e.at("IVCounterNonce").asBytes();

  const auto decrypted = single1x(
      f, Operation::Decrypt, {uid(key), Ttlv::byteString("Data", joined), Ttlv::byteString("IVCounterNonce", iv)}, 2);
  REQUIRE(succeeded(decrypted));
  CHECK(payloadOf(decrypted).at("Data").asBytes() == message);

  // The same ciphertext and tag in 1.4 form: the tag in its own field.
  const Ttlv::Bytes ciphertext(joined.begin(), joined.end() - 16);
  const Ttlv::Bytes tag(joined.end() - 16, joined.end());
  const auto v14 = single1x(f, Operation::Decrypt,
                            {uid(key), Ttlv::byteString("Data", ciphertext), Ttlv::byteString("IVCounterNonce", iv),
                             Ttlv::byteString("AuthenticatedEncryptionTag", tag)},
                            4);
  REQUIRE(succeeded(v14));
  CHECK(payloadOf(v14).at("Data").asBytes() == message);

  // A flipped tag byte fails; so does Data shorter than a tag.
  Ttlv::Bytes tampered = joined;
  tampered.back() ^= 1;
  CHECK_FALSE(
      succeeded(single1x(f, Operation::Decrypt,
                         {uid(key), Ttlv::byteString("Data", tampered), Ttlv::byteString("IVCounterNonce", iv)}, 2)));
  CHECK_FALSE(succeeded(
      single1x(f, Operation::Decrypt,
               {uid(key), Ttlv::byteString("Data", Ttlv::Bytes(8, 1)), Ttlv::byteString("IVCounterNonce", iv)}, 2)));

  // CBC names its mode: nothing is appended nor split.
  const Ttlv cbc =
      Ttlv::structure("CryptographicParameters",
                      {Ttlv::enumeration("BlockCipherMode", static_cast<std::uint32_t>(kmip::BlockCipherMode::CBC)),
                       Ttlv::enumeration("PaddingMethod", static_cast<std::uint32_t>(kmip::PaddingMethod::PKCS5))});
  const auto cbcEncrypted = single1x(f, Operation::Encrypt, {uid(key), cbc, Ttlv::byteString("Data", message)}, 2);
  REQUIRE(succeeded(cbcEncrypted));
  CHECK(payloadOf(cbcEncrypted).at("Data").asBytes().size() == 16);
  const auto cbcDecrypted =
      single1x(f, Operation::Decrypt,
               {uid(key), cbc, payloadOf(cbcEncrypted).at("Data"), payloadOf(cbcEncrypted).at("IVCounterNonce")}, 2);
  REQUIRE(succeeded(cbcDecrypted));
  CHECK(payloadOf(cbcDecrypted).at("Data").asBytes() == message);
}
