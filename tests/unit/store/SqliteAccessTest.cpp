#include <doctest/doctest.h>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::AccessEntry;
using kms::store::SqliteStore;
using namespace kms::store::test;
using Ops = std::set<std::string>;

TEST_CASE("grant, revoke, operationsFor and listAccess") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  store.insert({makeObject("k", "alice")});

  CHECK(store.operationsFor("k", "bob").empty());
  CHECK(store.listAccess("k").empty());

  store.grant("k", "bob", {"get", "encrypt"});
  store.grant("k", "bob", {"encrypt", "decrypt"});  // idempotent for what is already held
  store.grant("k", "*", {"get", "locate"});
  store.grant("k", "carol", {});  // nothing to grant: no entry

  CHECK(store.operationsFor("k", "bob") == Ops{"decrypt", "encrypt", "get", "locate"});
  CHECK(store.operationsFor("k", "carol") == Ops{"get", "locate"});  // through "*"
  CHECK(store.operationsFor("other", "bob").empty());

  const auto access = store.listAccess("k");
  REQUIRE(access.size() == 2);
  CHECK(access[0].user == "*");
  CHECK(access[0].operations == Ops{"get", "locate"});
  CHECK(access[1].user == "bob");
  CHECK(access[1].operations == Ops{"decrypt", "encrypt", "get"});

  store.revoke("k", "bob", {"encrypt", "sign"});  // "sign" was never held: ignored
  CHECK(store.operationsFor("k", "bob") == Ops{"decrypt", "get", "locate"});
  store.revoke("k", "*", {"get", "locate"});
  CHECK(store.operationsFor("k", "carol").empty());
  store.revoke("k", "bob", {"decrypt", "get"});
  CHECK(store.listAccess("k").empty());
  store.revoke("missing", "bob", {"get"});  // nothing to revoke: no error
}

TEST_CASE("grant on a missing object is NotFound") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  try {
    store.grant("missing", "bob", {"get"});
    FAIL("expected NotFound");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::NotFound);
  }
}

TEST_CASE("ownedBy and obtainedBy") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  store.insert({makeObject("a1", "alice")});
  store.insert({makeObject("a2", "alice")});
  store.insert({makeObject("b1", "bob")});
  store.insert({makeObject("b2", "bob")});

  CHECK(store.ownedBy("alice") == std::vector<std::string>{"a2", "a1"});  // newest first
  CHECK(store.ownedBy("bob") == std::vector<std::string>{"b2", "b1"});
  CHECK(store.ownedBy("nobody").empty());

  store.grant("b1", "alice", {"get"});
  store.grant("b2", "alice", {"encrypt", "decrypt"});
  store.grant("a1", "alice", {"get"});  // her own object: not "obtained"
  store.grant("b1", "*", {"locate"});   // everyone's: not listed per user

  const auto obtained = store.obtainedBy("alice");
  REQUIRE(obtained.size() == 2);
  CHECK(obtained[0].first == "b2");
  CHECK(obtained[0].second == Ops{"decrypt", "encrypt"});
  CHECK(obtained[1].first == "b1");
  CHECK(obtained[1].second == Ops{"get"});
  CHECK(store.obtainedBy("bob").empty());

  // Ownership changes with an update, and obtainedBy follows it.
  auto b1 = *store.get("b1");
  b1.owner = "alice";
  store.update(b1);
  CHECK(store.obtainedBy("alice").size() == 1);
  // Order is by creation, not by update: b1 was created after a2.
  CHECK(store.ownedBy("alice") == std::vector<std::string>{"b1", "a2", "a1"});
}
