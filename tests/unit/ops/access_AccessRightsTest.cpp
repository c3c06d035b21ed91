// ops::access::AccessRights, the rules of /access/*: who may grant, revoke and list rights on a
// database object (its owner, a privileged one when privileged_users is set) and on an HSM key
// (its instance's hsm_admin users, on a real SoftHSM2 token), and that everyone else gets the
// answer of a missing object, byte for byte.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <string>

#include "access_SoftHsm.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/ops/NotFound.hpp"
#include "kms/ops/access/AccessRights.hpp"
#include "support_Fixture.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::auth::AccessPolicy;
using kms::ops::RequestContext;
using kms::ops::access::AccessRights;
using kms::ops::test::errorOf;
using kms::ops::test::Fixture;

namespace {

// alice owns the database objects, bob is a grantee, mallory holds nothing, hsmadmin is the
// HSM instance's hsm_admin.
RequestContext as(const char* user) {
  return RequestContext{user};
}

AccessRights::Change change(const std::string& uid, const std::string& user, std::set<std::string> operations) {
  return AccessRights::Change{uid, user, std::move(operations)};
}

// The text and code of what `fn` throws.
template <typename F>
std::pair<ErrorCode, std::string> refusal(F&& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return {e.code(), e.what()};
  }
  FAIL("nothing was thrown");
  return {};
}

std::pair<ErrorCode, std::string> missing(const std::string& uid) {
  const auto expected = kms::ops::notFound(uid);
  return {expected.code(), expected.what()};
}

// Every call a caller may not make on `uid` answers as for a missing object of that uid.
void checkRefusedAsMissing(AccessRights& rights, const RequestContext& who, const std::string& uid) {
  CAPTURE(who.user);
  CAPTURE(uid);
  CHECK(refusal([&] { rights.grant(who, change(uid, "eve", {"get"})); }) == missing(uid));
  CHECK(refusal([&] { rights.revoke(who, change(uid, "eve", {"get"})); }) == missing(uid));
  CHECK(refusal([&] { (void)rights.grants(who, uid); }) == missing(uid));
}

}  // namespace

TEST_CASE("notFound: one text, a long uid shortened") {
  CHECK(std::string(kms::ops::notFound("abc").what()) == "object 'abc' not found");
  CHECK(kms::ops::notFound("abc").code() == ErrorCode::NotFound);
  const std::string exact(128, 'x');
  CHECK(std::string(kms::ops::notFound(exact).what()) == "object '" + exact + "' not found");
  CHECK(std::string(kms::ops::notFound(exact + "yz").what()) == "object '" + exact + "...' not found");
}

TEST_CASE("the owner grants, lists and revokes; the grantee obtains") {
  Fixture fx;
  const AccessPolicy policy;
  AccessRights rights(fx.store(), policy, nullptr);
  const auto uid = fx.addKey("alice");

  rights.grant(as("alice"), change(uid, "bob", {"get", "encrypt"}));
  CHECK(fx.store().operationsFor(uid, "bob") == std::set<std::string>{"get", "encrypt"});
  auto grants = rights.grants(as("alice"), uid);
  REQUIRE(grants.size() == 1);
  CHECK(grants[0].user == "bob");
  CHECK(grants[0].operations == std::set<std::string>{"get", "encrypt"});

  const auto obtained = rights.obtained(as("bob"));
  REQUIRE(obtained.size() == 1);
  CHECK(obtained[0].uid == uid);
  CHECK(obtained[0].owner == "alice");
  CHECK(obtained[0].state == static_cast<std::uint32_t>(kms::kmip::State::PreActive));
  CHECK(obtained[0].operations == std::set<std::string>{"get", "encrypt"});

  const auto owned = rights.owned(as("alice"));
  REQUIRE(owned.size() == 1);
  CHECK(owned[0].uid == uid);
  CHECK(owned[0].objectType == static_cast<std::uint32_t>(kms::kmip::ObjectType::SymmetricKey));
  CHECK(owned[0].algorithm == static_cast<std::uint32_t>(kms::kmip::CryptographicAlgorithm::AES));
  CHECK(owned[0].length == 256);
  CHECK(rights.owned(as("bob")).empty());
  CHECK(rights.obtained(as("alice")).empty());

  rights.revoke(as("alice"), change(uid, "bob", {"encrypt"}));
  CHECK(fx.store().operationsFor(uid, "bob") == std::set<std::string>{"get"});
  rights.revoke(as("alice"), change(uid, "bob", {"get"}));
  CHECK(rights.grants(as("alice"), uid).empty());
  CHECK(rights.obtained(as("bob")).empty());
}

TEST_CASE("a grantee and a stranger are refused exactly as for an object that does not exist") {
  Fixture fx;
  const AccessPolicy policy;
  AccessRights rights(fx.store(), policy, nullptr);
  const auto uid = fx.addKey("alice");
  rights.grant(as("alice"), change(uid, "bob", {"get"}));
  rights.grant(as("alice"), change(uid, "*", {"encrypt"}));

  checkRefusedAsMissing(rights, as("bob"), uid);      // holds get, and encrypt through "*"
  checkRefusedAsMissing(rights, as("mallory"), uid);  // holds only "*"'s encrypt
  // The same uid shape that does not exist: the same words, for the owner too.
  const std::string unknown = std::string(uid.size(), '0');
  checkRefusedAsMissing(rights, as("alice"), unknown);
  checkRefusedAsMissing(rights, as("mallory"), unknown);
  // Nothing changed meanwhile.
  CHECK(fx.store().operationsFor(uid, "eve") == std::set<std::string>{"encrypt"});
  CHECK(rights.grants(as("alice"), uid).size() == 2);
  // Obtained lists the grants made to the user by name, not those to "*".
  CHECK(rights.obtained(as("mallory")).empty());
  REQUIRE(rights.obtained(as("bob")).size() == 1);
  CHECK(rights.obtained(as("bob"))[0].operations == std::set<std::string>{"get"});
}

TEST_CASE("privileged_users: only a privileged owner grants; the owner holds every right") {
  Fixture fx;
  const AccessPolicy policy(std::vector<std::string>{"alice", "carol"}, "admin");
  AccessRights rights(fx.store(), policy, nullptr);
  const auto mine = fx.addKey("alice");
  const auto bobs = fx.addKey("bob", {}, {}, {}, 7);

  rights.grant(as("alice"), change(mine, "bob", {"get"}));
  CHECK(refusal([&] { rights.grant(as("bob"), change(bobs, "alice", {"get"})); }) ==
        std::pair{ErrorCode::PermissionDenied, std::string("only privileged users may grant or revoke access")});
  CHECK(refusal([&] { rights.revoke(as("bob"), change(bobs, "alice", {"get"})); }).first ==
        ErrorCode::PermissionDenied);
  // Privileged but not the owner: as for a missing object.
  checkRefusedAsMissing(rights, as("carol"), bobs);
  // A non-privileged owner still lists its grants.
  CHECK(rights.grants(as("bob"), bobs).empty());
  CHECK(refusal([&] { rights.grant(as("alice"), change(mine, "alice", {"get"})); }) ==
        std::pair{ErrorCode::InvalidField, std::string("the owner holds every right already")});
}

TEST_CASE("right names are checked before the object is looked at") {
  Fixture fx;
  const AccessPolicy policy;
  AccessRights rights(fx.store(), policy, nullptr);
  const auto uid = fx.addKey("alice");
  CHECK(refusal([&] { rights.grant(as("mallory"), change(uid, "bob", {"fly"})); }) ==
        std::pair{ErrorCode::InvalidField, std::string("unknown operation type 'fly'")});
  CHECK(errorOf([&] { rights.grant(as("alice"), change(uid, "bob", {})); }) == ErrorCode::MissingData);
  CHECK(rights.grants(as("alice"), uid).empty());
}

TEST_CASE("the processor serves the same rules on its own store") {
  Fixture fx;
  const auto uid = fx.addKey("alice");
  auto& rights = fx.processor().accessRights();
  rights.grant(as("alice"), change(uid, "bob", {"decrypt"}));
  CHECK(fx.store().operationsFor(uid, "bob") == std::set<std::string>{"decrypt"});
  checkRefusedAsMissing(rights, as("bob"), uid);
}

TEST_CASE("an HSM key's grants: its hsm_admin manages them under the canonical UID; anyone else, as missing") {
  const auto hsm = kms::ops::test::softHsmInstance({"hsmadmin"});
  const auto slot = hsm.slot;
  const std::string label = fmt::format("access-{}", ::getpid());
  hsm.instance->generateAes(slot, label, 256, kms::hsm::KeyProtection{.sensitive = true});
  const std::string canonical = fmt::format("hsm::softhsm2::{}::{}", slot, label);
  const std::string legacy = fmt::format("hsm::{}::{}", slot, label);  // the only instance serves it

  Fixture fx;
  const AccessPolicy policy;
  AccessRights rights(fx.store(), policy, hsm.registry.get());

  // Granted through the legacy form, stored and listed under the canonical one.
  rights.grant(as("hsmadmin"), change(legacy, "bob", {"encrypt", "get"}));
  CHECK(fx.store().operationsFor(canonical, "bob") == std::set<std::string>{"encrypt", "get"});
  auto grants = rights.grants(as("hsmadmin"), canonical);
  REQUIRE(grants.size() == 1);
  CHECK(grants[0].user == "bob");
  CHECK(rights.grants(as("hsmadmin"), legacy).size() == 1);
  // HSM keys have no owner in the store: neither owned nor obtained lists them.
  CHECK(rights.obtained(as("bob")).empty());
  CHECK(rights.owned(as("hsmadmin")).empty());

  // The grantee, a stranger and the owner of database objects: as a missing object.
  checkRefusedAsMissing(rights, as("bob"), canonical);
  checkRefusedAsMissing(rights, as("mallory"), canonical);
  checkRefusedAsMissing(rights, as("alice"), legacy);
  // A missing key, an unknown slot and an unknown instance: the same, for the admin too.
  const std::string missingKey = fmt::format("hsm::softhsm2::{}::no-{}", slot, label);
  checkRefusedAsMissing(rights, as("hsmadmin"), missingKey);
  checkRefusedAsMissing(rights, as("mallory"), missingKey);
  checkRefusedAsMissing(rights, as("hsmadmin"), fmt::format("hsm::softhsm2::{}::{}", slot + 1000, label));
  checkRefusedAsMissing(rights, as("hsmadmin"), fmt::format("hsm::proteccio::{}::{}", slot, label));
  // Without any HSM: as missing too.
  AccessRights without(fx.store(), policy, nullptr);
  checkRefusedAsMissing(without, as("hsmadmin"), canonical);

  rights.revoke(as("hsmadmin"), change(canonical, "bob", {"encrypt", "get"}));
  CHECK(rights.grants(as("hsmadmin"), canonical).empty());
  hsm.instance->destroy(kms::hsm::KeyRef{slot, label, {}});
}
