// GetAttributes / GetAttributeList shapes and Add/Set/Modify/DeleteAttribute rules.
#include <doctest/doctest.h>

#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::Ttlv;

namespace {

std::vector<std::string> tagsOf(const Ttlv& attributesStructure) {
  std::vector<std::string> out;
  for (const auto& item : attributesStructure.items()) out.push_back(item.tag());
  return out;
}

Ttlv newAttribute(Ttlv attribute) {
  return Ttlv::structure("NewAttribute", {std::move(attribute)});
}
Ttlv currentAttribute(Ttlv attribute) {
  return Ttlv::structure("CurrentAttribute", {std::move(attribute)});
}

Ttlv::Bytes fromHex(const std::string& hex) {
  Ttlv::Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Pushes LastChangeDate into the past so that a change is visible at one-second resolution.
void ageLastChange(Fixture& f, const std::string& key) {
  auto object = f.load(key);
  ops::attributes::AttributeSet(object.attributes).setDate("LastChangeDate", 1000);
  f.repository().update(object);
}

}  // namespace

TEST_CASE("SKLC-M-1: GetAttributes answers in the order asked and leaves absent ones out") {
  Fixture f;
  const auto key = f.addKey("alice", "SKLC-M-1-21");
  const auto item = f.single(
      Operation::GetAttributes,
      {uid(key), reference("State"), reference("CryptographicUsageMask"), reference("UniqueIdentifier"),
       reference("ObjectType"), reference("CryptographicAlgorithm"), reference("CryptographicLength"),
       reference("Digest"), reference("InitialDate"), reference("LastChangeDate"), reference("ActivationDate")});
  REQUIRE(succeeded(item));
  const auto& payload = payloadOf(item);
  CHECK(tagsOf(payload) == std::vector<std::string>{"UniqueIdentifier", "Attributes"});
  CHECK(payload.at("UniqueIdentifier").asText() == key);
  const auto& attrs = payload.at("Attributes");
  CHECK(tagsOf(attrs) == std::vector<std::string>{"State", "CryptographicUsageMask", "UniqueIdentifier", "ObjectType",
                                                  "CryptographicAlgorithm", "CryptographicLength", "Digest",
                                                  "InitialDate", "LastChangeDate"});
  CHECK(attrs.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::PreActive));
  CHECK(attrs.at("CryptographicUsageMask").asInteger() == 0x0C);
  CHECK(attrs.at("UniqueIdentifier").asText() == key);
  CHECK(attrs.at("ObjectType").asEnumeration() == static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey));
  CHECK(attrs.at("CryptographicAlgorithm").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES));
  CHECK(attrs.at("CryptographicLength").asInteger() == 256);
  const auto& digest = attrs.at("Digest");
  CHECK(tagsOf(digest) == std::vector<std::string>{"HashingAlgorithm", "DigestValue", "KeyFormatType"});
  CHECK(digest.at("HashingAlgorithm").asEnumeration() == static_cast<std::uint32_t>(kmip::HashingAlgorithm::SHA_256));
  CHECK(digest.at("KeyFormatType").asEnumeration() == static_cast<std::uint32_t>(kmip::KeyFormatType::Raw));
  // SHA-256 of the bytes 0x01..0x20 (the fixture's key material).
  CHECK(digest.at("DigestValue").asBytes() ==
        fromHex("ae216c2ef5247a3782c135efa279a3e4cdc61094270f5d2be58c6204b7a612c9"));
}

TEST_CASE("GetAttributes without references returns every attribute; by-name references work") {
  Fixture f;
  const auto key = f.addKey("alice", "all", {"t1"});
  const auto all = payloadOf(f.single(Operation::GetAttributes, {uid(key)})).at("Attributes");
  const auto tags = tagsOf(all);
  for (const auto* expected : {"UniqueIdentifier", "ObjectType", "CryptographicAlgorithm", "CryptographicLength",
                               "CryptographicUsageMask", "Name", "Attribute", "State", "InitialDate", "LastChangeDate",
                               "OriginalCreationDate", "Digest", "KeyFormatType"}) {
    CHECK_MESSAGE(std::find(tags.begin(), tags.end(), expected) != tags.end(), expected);
  }
  const auto byName =
      f.single(Operation::GetAttributes,
               {uid(key),
                Ttlv::structure("AttributeReference", {Ttlv::textString("VendorIdentification", ""),
                                                       Ttlv::textString("AttributeName", "Cryptographic Algorithm")}),
                Ttlv::structure("AttributeReference", {Ttlv::textString("VendorIdentification", "cosmian"),
                                                       Ttlv::textString("AttributeName", "tag")})});
  REQUIRE(succeeded(byName));
  const auto& attrs = payloadOf(byName).at("Attributes");
  CHECK(tagsOf(attrs) == std::vector<std::string>{"CryptographicAlgorithm", "Attribute"});
  CHECK(attrs.at("Attribute").at("AttributeValue").asText() == "[\"t1\"]");
  // Nothing requested exists: an empty Attributes structure.
  const auto none = f.single(Operation::GetAttributes, {uid(key), reference("ProtectStopDate")});
  CHECK(payloadOf(none).at("Attributes").items().empty());
  // A reference to something that is no attribute is refused.
  CHECK(failure(f.single(Operation::GetAttributes, {uid(key), reference("BatchCount")})) == ErrorCode::InvalidField);
}

TEST_CASE("GetAttributeList names each attribute once") {
  Fixture f;
  const auto key = f.addKey("alice", "n1", {"t"});
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("n2"))})));
  const auto item = f.single(Operation::GetAttributeList, {uid(key)});
  REQUIRE(succeeded(item));
  const auto refs = payloadOf(item).findAll("AttributeReference");
  int names = 0;
  bool vendor = false;
  for (const auto* r : refs) {
    if (r->isStructure()) {
      vendor = r->at("AttributeName").asText() == "tag";
      continue;
    }
    if (kmip::Dictionary::tagName(r->asEnumeration()) == std::optional<std::string_view>("Name")) ++names;
  }
  CHECK(names == 1);
  CHECK(vendor);
  CHECK(refs.size() >= 10);
}

TEST_CASE("AddAttribute: multi-valued added, single-valued once, read-only refused") {
  Fixture f;
  const auto key = f.addKey("alice", "first");
  ageLastChange(f, key);
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("second"))})));
  auto object = f.load(key);
  CHECK(ops::attributes::AttributeSet(object.attributes).names() == std::vector<std::string>{"first", "second"});
  CHECK(object.attributes.at("LastChangeDate").asDateTime() > 1000);
  CHECK(f.store().get(key)->names == std::vector<std::string>{"first", "second"});

  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(Ttlv::textString("Comment", "c"))})));
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key), newAttribute(Ttlv::textString("Comment", "d"))})) ==
        ErrorCode::AttributeSingleValued);
  for (auto readOnly : {Ttlv::enumeration("CryptographicAlgorithm", 3), Ttlv::integer("CryptographicLength", 128),
                        Ttlv::enumeration("State", 2), Ttlv::textString("UniqueIdentifier", "x"),
                        Ttlv::dateTime("InitialDate", 5), Ttlv::enumeration("ObjectType", 2)}) {
    const auto item = f.single(Operation::AddAttribute, {uid(key), newAttribute(readOnly)});
    CHECK_MESSAGE(failure(item) == ErrorCode::AttributeReadOnly, readOnly.tag());
    CHECK(item.at("ResultReason").asEnumeration() == static_cast<std::uint32_t>(kmip::ResultReason::AttributeReadOnly));
  }
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key), newAttribute(Ttlv::textString("BatchCount", "x"))})) ==
        ErrorCode::InvalidField);
  CHECK(
      failure(f.single(Operation::AddAttribute, {uid(key), Ttlv::structure("NewAttribute", {name("a"), name("b")})})) ==
      ErrorCode::InvalidField);
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key)})) == ErrorCode::MissingData);
}

TEST_CASE("SetAttribute creates or replaces the single instance") {
  Fixture f;
  const auto key = f.addKey();
  REQUIRE(
      succeeded(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::textString("Description", "one"))})));
  REQUIRE(
      succeeded(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::textString("Description", "two"))})));
  const auto object = f.load(key);
  CHECK(object.attributes.findAll("Description").size() == 1);
  CHECK(object.attributes.at("Description").asText() == "two");
  CHECK(failure(
            f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::integer("CryptographicUsageMask", 4))})) ==
        ErrorCode::AttributeReadOnly);
  // Several instances: Set cannot pick one.
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("a"))})));
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("b"))})));
  CHECK(failure(f.single(Operation::SetAttribute, {uid(key), newAttribute(name("c"))})) == ErrorCode::InvalidField);
}

TEST_CASE("SetAttribute of a reached ActivationDate activates; dates follow the state rules") {
  Fixture f;
  const auto key = f.addKey();
  REQUIRE(
      succeeded(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::dateTime("ActivationDate", 1000))})));
  CHECK(f.load(key).attributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::Active));
  CHECK(failure(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::dateTime("ActivationDate", 2000))})) ==
        ErrorCode::WrongKeyLifecycleState);
  REQUIRE(
      succeeded(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::dateTime("DeactivationDate", 3000))})));
  CHECK(f.load(key).attributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::Deactivated));
  CHECK(
      failure(f.single(Operation::SetAttribute, {uid(key), newAttribute(Ttlv::dateTime("DeactivationDate", 4000))})) ==
      ErrorCode::WrongKeyLifecycleState);
}

TEST_CASE("ModifyAttribute changes one existing instance") {
  Fixture f;
  const auto key = f.addKey("alice", "old");
  REQUIRE(succeeded(f.single(Operation::ModifyAttribute, {uid(key), newAttribute(name("new"))})));
  CHECK(f.store().get(key)->names == std::vector<std::string>{"new"});
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("other"))})));
  CHECK(failure(f.single(Operation::ModifyAttribute, {uid(key), newAttribute(name("x"))})) == ErrorCode::InvalidField);
  REQUIRE(succeeded(f.single(Operation::ModifyAttribute,
                             {uid(key), currentAttribute(name("other")), newAttribute(name("renamed"))})));
  CHECK(f.store().get(key)->names == std::vector<std::string>{"new", "renamed"});
  CHECK(failure(f.single(Operation::ModifyAttribute, {uid(key), currentAttribute(name("absent")),
                                                      newAttribute(name("y"))})) == ErrorCode::AttributeNotFound);
  CHECK(failure(f.single(Operation::ModifyAttribute, {uid(key), newAttribute(Ttlv::textString("Comment", "c"))})) ==
        ErrorCode::AttributeNotFound);
  CHECK(failure(
            f.single(Operation::ModifyAttribute, {uid(key), newAttribute(Ttlv::integer("CryptographicLength", 1))})) ==
        ErrorCode::AttributeReadOnly);
}

TEST_CASE("DeleteAttribute by CurrentAttribute or by AttributeReference") {
  Fixture f;
  const auto key = f.addKey("alice", "n1");
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("n2"))})));
  REQUIRE(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("n3"))})));
  REQUIRE(succeeded(f.single(Operation::DeleteAttribute, {uid(key), currentAttribute(name("n2"))})));
  CHECK(f.store().get(key)->names == std::vector<std::string>{"n1", "n3"});
  REQUIRE(succeeded(f.single(Operation::DeleteAttribute, {uid(key), reference("Name")})));
  CHECK(f.store().get(key)->names.empty());
  CHECK(failure(f.single(Operation::DeleteAttribute, {uid(key), reference("Name")})) == ErrorCode::AttributeNotFound);
  CHECK(failure(f.single(Operation::DeleteAttribute, {uid(key), reference("State")})) == ErrorCode::AttributeReadOnly);
  CHECK(failure(f.single(Operation::DeleteAttribute, {uid(key), reference("ActivationDate")})) ==
        ErrorCode::AttributeReadOnly);
  CHECK(failure(f.single(Operation::DeleteAttribute, {uid(key)})) == ErrorCode::MissingData);
}

TEST_CASE("the tag vendor attribute drives the store's tag index") {
  Fixture f;
  const auto key = f.addKey("alice", {}, {"a", "b"});
  CHECK(f.store().get(key)->tags == std::vector<std::string>{"a", "b"});
  REQUIRE(succeeded(f.single(Operation::SetAttribute, {uid(key), newAttribute(tagAttribute({"c"}))})));
  CHECK(f.store().get(key)->tags == std::vector<std::string>{"c"});
  CHECK(f.load(key).attributes.findAll("Attribute").size() == 1);
  // The Cosmian wrapper form is accepted too.
  const auto wrapped = Ttlv::structure(
      "NewAttribute",
      {Ttlv::structure("VendorAttributes",
                       {Ttlv::structure("VendorAttribute", {Ttlv::textString("VendorIdentification", "cosmian"),
                                                            Ttlv::textString("AttributeName", "tag"),
                                                            Ttlv::textString("AttributeValue", "[\"d\",\"e\"]")})})});
  REQUIRE(succeeded(f.single(Operation::SetAttribute, {uid(key), wrapped})));
  CHECK(f.store().get(key)->tags == std::vector<std::string>{"d", "e"});
  // Not a JSON array: refused, nothing changes.
  const auto bad = Ttlv::structure(
      "Attribute", {Ttlv::textString("VendorIdentification", "cosmian"), Ttlv::textString("AttributeName", "tag"),
                    Ttlv::textString("AttributeValue", "d,e")});
  CHECK(failure(f.single(Operation::SetAttribute, {uid(key), newAttribute(bad)})) == ErrorCode::InvalidField);
  CHECK(f.store().get(key)->tags == std::vector<std::string>{"d", "e"});
  REQUIRE(succeeded(
      f.single(Operation::DeleteAttribute,
               {uid(key), Ttlv::structure("AttributeReference", {Ttlv::textString("VendorIdentification", "cosmian"),
                                                                 Ttlv::textString("AttributeName", "tag")})})));
  CHECK(f.store().get(key)->tags.empty());
  // Server vendor attributes ("y") are not the client's.
  const auto y =
      Ttlv::structure("Attribute", {Ttlv::textString("VendorIdentification", "y"),
                                    Ttlv::textString("AttributeName", "n"), Ttlv::textString("AttributeValue", "v")});
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key), newAttribute(y)})) == ErrorCode::AttributeReadOnly);
}

TEST_CASE("attribute changes need the right, and a user without it learns nothing") {
  Fixture f;
  const auto key = f.addKey("alice", "mine");
  CHECK(failure(f.single(Operation::GetAttributes, {uid(key)}, "bob")) == ErrorCode::NotFound);
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("x"))}, "bob")) == ErrorCode::NotFound);
  f.store().grant(key, "bob", {"get"});
  CHECK(succeeded(f.single(Operation::GetAttributes, {uid(key)}, "bob")));
  CHECK(failure(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("x"))}, "bob")) == ErrorCode::NotFound);
  f.store().grant(key, "bob", {"addattribute"});
  CHECK(succeeded(f.single(Operation::AddAttribute, {uid(key), newAttribute(name("x"))}, "bob")));
}
