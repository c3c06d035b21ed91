// Locate filters, paging, order and visibility; UID routing and tag selectors of the repository.
#include <doctest/doctest.h>

#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::Ttlv;

namespace {

std::vector<std::string> located(const Ttlv& item) {
  std::vector<std::string> out;
  for (const auto* u : payloadOf(item).findAll("UniqueIdentifier")) out.push_back(u->asText());
  return out;
}

std::vector<std::string> locate(Fixture& f, std::vector<Ttlv> filter, const std::string& user = "alice",
                                std::vector<Ttlv> extra = {}) {
  std::vector<Ttlv> payload = std::move(extra);
  payload.push_back(attributes(std::move(filter)));
  const auto item = f.single(Operation::Locate, std::move(payload), user);
  REQUIRE(succeeded(item));
  return located(item);
}

Ttlv objectType(kmip::ObjectType t) {
  return Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(t));
}

}  // namespace

TEST_CASE("BL-M-1: Locate by Name finds the object") {
  Fixture f;
  const auto key = f.addKey("alice", "BL-M-1-21");
  (void)f.addKey("alice", "other");
  CHECK(locate(f, {name("BL-M-1-21")}) == std::vector<std::string>{key});
  CHECK(locate(f, {name("absent")}).empty());
}

TEST_CASE("Locate filters on type, algorithm, length, state, tags and usage mask") {
  Fixture f;
  const auto a = f.addKey("alice", "a", {"blue", "red"});
  const auto b = f.addKey("alice", "b", {"blue"}, {Ttlv::dateTime("ActivationDate", 1000)});
  CHECK(locate(f, {objectType(kmip::ObjectType::SymmetricKey)}) == std::vector<std::string>{b, a});
  CHECK(locate(f, {objectType(kmip::ObjectType::PrivateKey)}).empty());
  CHECK(locate(f, {Ttlv::enumeration("CryptographicAlgorithm",
                                     static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES))})
            .size() == 2);
  CHECK(locate(f, {Ttlv::enumeration("CryptographicAlgorithm",
                                     static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::RSA))})
            .empty());
  CHECK(locate(f, {Ttlv::integer("CryptographicLength", 256)}).size() == 2);
  CHECK(locate(f, {Ttlv::integer("CryptographicLength", 128)}).empty());
  CHECK(locate(f, {Ttlv::enumeration("State", static_cast<std::uint32_t>(kmip::State::Active))}) ==
        std::vector<std::string>{b});
  CHECK(locate(f, {tagAttribute({"blue"})}) == std::vector<std::string>{b, a});
  CHECK(locate(f, {tagAttribute({"blue", "red"})}) == std::vector<std::string>{a});
  CHECK(locate(f, {tagAttribute({"green"})}).empty());
  // Usage mask: every requested bit must be set.
  CHECK(locate(f, {Ttlv::integer("CryptographicUsageMask", 0x04)}).size() == 2);
  CHECK(locate(f, {Ttlv::integer("CryptographicUsageMask", 0x01)}).empty());
  // Dates: one value matches exactly, two make a range.
  CHECK(locate(f, {Ttlv::dateTime("ActivationDate", 1000)}) == std::vector<std::string>{b});
  CHECK(locate(f, {Ttlv::dateTime("ActivationDate", 500), Ttlv::dateTime("ActivationDate", 2000)}) ==
        std::vector<std::string>{b});
  CHECK(locate(f, {Ttlv::dateTime("ActivationDate", 1001), Ttlv::dateTime("ActivationDate", 2000)}).empty());
  // Combined, and Cosmian's empty Link / KeyFormatType are ignored.
  CHECK(locate(f, {name("a"), tagAttribute({"red"}), Ttlv::structure("Link"),
                   Ttlv::enumeration("KeyFormatType",
                                     static_cast<std::uint32_t>(kmip::KeyFormatType::TransparentSymmetricKey))}) ==
        std::vector<std::string>{a});
}

TEST_CASE("Locate pages newest first and counts every match") {
  Fixture f;
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) keys.push_back(f.addKey("alice", "k" + std::to_string(i), {"page"}));
  const std::vector<std::string> newestFirst(keys.rbegin(), keys.rend());
  CHECK(locate(f, {tagAttribute({"page"})}) == newestFirst);
  const auto item = f.single(Operation::Locate, {Ttlv::integer("MaximumItems", 2), Ttlv::integer("OffsetItems", 1),
                                                 attributes({tagAttribute({"page"})})});
  REQUIRE(succeeded(item));
  CHECK(payloadOf(item).at("LocatedItems").asInteger() == 5);
  CHECK(located(item) == std::vector<std::string>{newestFirst[1], newestFirst[2]});
  const auto tail = f.single(Operation::Locate, {Ttlv::integer("OffsetItems", 4), attributes({})});
  CHECK(located(tail) == std::vector<std::string>{newestFirst[4]});
  const auto beyond = f.single(Operation::Locate, {Ttlv::integer("OffsetItems", 9), attributes({})});
  CHECK(located(beyond).empty());
  CHECK(failure(f.single(Operation::Locate, {Ttlv::integer("MaximumItems", -1), attributes({})})) ==
        ErrorCode::InvalidField);
  // No Attributes at all: everything matches.
  CHECK(located(f.single(Operation::Locate, {})).size() == 5);
}

TEST_CASE("Locate shows only what the user owns or was granted") {
  Fixture f;
  const auto key = f.addKey("alice", "shared");
  CHECK(locate(f, {name("shared")}, "bob").empty());
  CHECK(locate(f, {}, "bob").empty());
  f.store().grant(key, "bob", {"encrypt"});
  CHECK(locate(f, {name("shared")}, "bob") == std::vector<std::string>{key});
  const auto bobs = f.addKey("bob", "shared");
  CHECK(locate(f, {name("shared")}, "bob") == std::vector<std::string>{bobs, key});
  CHECK(locate(f, {name("shared")}, "alice") == std::vector<std::string>{key});
  CHECK(locate(f, {}, "carol").empty());
  f.store().grant(key, "*", {"get"});
  CHECK(locate(f, {}, "carol") == std::vector<std::string>{key});
}

TEST_CASE("Locate leaves destroyed objects out unless the StorageStatusMask asks") {
  Fixture f;
  const auto live = f.addKey("alice", "x");
  const auto gone = f.addKey("alice", "x");
  REQUIRE(succeeded(f.single(Operation::Destroy, {uid(gone)})));
  CHECK(locate(f, {name("x")}) == std::vector<std::string>{live});
  CHECK(locate(f, {name("x")}, "alice", {Ttlv::integer("StorageStatusMask", 0x4)}) == std::vector<std::string>{gone});
  CHECK(locate(f, {name("x")}, "alice", {Ttlv::integer("StorageStatusMask", 0x5)}) ==
        std::vector<std::string>{gone, live});
  CHECK(locate(f, {Ttlv::enumeration("State", static_cast<std::uint32_t>(kmip::State::Destroyed))}) ==
        std::vector<std::string>{gone});
}

TEST_CASE("tag selectors designate exactly one object") {
  Fixture f;
  const auto one = f.addKey("alice", {}, {"solo", "team"});
  (void)f.addKey("alice", {}, {"team"});
  auto item = f.single(Operation::GetAttributes, {uid("[\"solo\"]"), reference("UniqueIdentifier")});
  REQUIRE(succeeded(item));
  CHECK(payloadOf(item).at("UniqueIdentifier").asText() == one);
  item = f.single(Operation::GetAttributes, {uid("[\"team\"]")});
  CHECK(failure(item) == ErrorCode::InvalidField);
  CHECK(resultMessage(item).find("2 objects") != std::string::npos);
  CHECK(failure(f.single(Operation::GetAttributes, {uid("[\"nobody\"]")})) == ErrorCode::NotFound);
  CHECK(failure(f.single(Operation::GetAttributes, {uid("[\"solo\"")})) == ErrorCode::InvalidField);
  // Another user does not see alice's tagged object through a selector.
  CHECK(failure(f.single(Operation::GetAttributes, {uid("[\"solo\"]")}, "bob")) == ErrorCode::NotFound);
}

TEST_CASE("hsm:: identifiers are routed to the HSM layer, which says when no HSM is configured") {
  Fixture f;
  for (const auto* id : {"hsm::softhsm2::0::key", "hsm::0::key"}) {
    const auto item = f.single(Operation::GetAttributes, {uid(id)});
    CHECK(failure(item) == ErrorCode::FeatureNotSupported);
    CHECK(resultMessage(item) == "no HSM is configured: hsm:: identifiers cannot be served");
  }
  // Operations that do not apply to HSM keys say so.
  const auto activate = f.single(Operation::Activate, {uid("hsm::softhsm2::0::key")});
  CHECK(failure(activate) == ErrorCode::FeatureNotSupported);
}

TEST_CASE("newUid makes distinct UUID v4 texts") {
  const auto a = ops::objects::ObjectRepository::newUid();
  const auto b = ops::objects::ObjectRepository::newUid();
  CHECK(a != b);
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[14] == '4');
  CHECK((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
}
