// The ObjectStore and TokenStore contract, run on every backend: SQLite and PostgreSQL must
// answer every call the same way (same order, same exceptions). Backend-specific behaviour
// (files, WAL, pools, timeouts, notifications) is tested in the Sqlite*/Pg* files.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include "PgTestSupport.hpp"
#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/postgres/Migrations.hpp"
#include "kms/store/postgres/PostgresStore.hpp"
#include "kms/store/sqlite/Migrations.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::ApiTokenRecord;
using kms::store::LocateQuery;
using kms::store::Migration;
using kms::store::ObjectStore;
using kms::store::StoredObject;
using kms::store::TokenStore;
using namespace kms::store::test;
using Ops = std::set<std::string>;
using Uids = std::vector<std::string>;

namespace {

struct SqliteBackend {
  TempDir dir;
  std::unique_ptr<kms::store::SqliteStore> open() { return std::make_unique<kms::store::SqliteStore>(dir.path()); }
  std::int64_t scalar(const std::string& sql) { return RawDb(dir.path() / "kms.db").scalar(sql); }
  void exec(const std::string& sql) { RawDb(dir.path() / "kms.db").exec(sql); }
  static int latest() { return kms::store::latestVersion(kms::store::sqlite::migrations()); }
  static std::span<const Migration> migrations() { return kms::store::sqlite::migrations(); }
  // As sqlite::migrate creates it.
  static constexpr const char* kSchemaVersionTable =
      "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
      " applied_us INTEGER NOT NULL)";
  static std::string blobLiteral(const std::string& hex) { return "X'" + hex + "'"; }
  static std::string indexCount(const std::string& name) {
    return "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = '" + name + "'";
  }
};

struct PostgresBackend {
  PgSchema schema;
  std::unique_ptr<kms::store::PostgresStore> open() {
    return std::make_unique<kms::store::PostgresStore>(schema.options());
  }
  std::int64_t scalar(const std::string& sql) { return PgRaw(schema.url()).scalar(sql); }
  void exec(const std::string& sql) { PgRaw(schema.url()).exec(sql); }
  static int latest() { return kms::store::latestVersion(kms::store::postgres::migrations()); }
  static std::span<const Migration> migrations() { return kms::store::postgres::migrations(); }
  // As postgres::migrate creates it.
  static constexpr const char* kSchemaVersionTable =
      "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
      " applied_us BIGINT NOT NULL)";
  static std::string blobLiteral(const std::string& hex) { return "'\\x" + hex + "'::bytea"; }
  static std::string indexCount(const std::string& name) {
    return "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '" + name + "'";
  }
};

#define KMS_BACKENDS SqliteBackend, PostgresBackend

ErrorCode codeOf(auto&& call) {
  try {
    call();
  } catch (const Exception& e) {
    return e.code();
  }
  FAIL("no kms::Exception thrown");
  return ErrorCode::InternalError;
}

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoredObject object(const std::string& uid, const std::string& owner, std::uint32_t type, std::uint32_t algorithm,
                    std::int32_t length, std::uint32_t state, std::vector<std::string> names,
                    std::vector<std::string> tags) {
  StoredObject o = makeObject(uid, owner);
  o.objectType = type;
  o.algorithm = algorithm;
  o.length = length;
  o.state = state;
  o.names = std::move(names);
  o.tags = std::move(tags);
  return o;
}

// Five objects, inserted one call at a time so that o1 is the oldest and o5 the newest.
void populate(ObjectStore& store) {
  store.insert({object("o1", "alice", 2, 3, 256, 2, {"payroll"}, {"hr", "prod"})});
  store.insert({object("o2", "alice", 2, 3, 128, 1, {"payroll", "old-payroll"}, {"hr"})});
  store.insert({object("o3", "bob", 4, 4, 2048, 2, {"signing"}, {"prod"})});
  store.insert({object("o4", "bob", 3, 4, 2048, 2, {}, {"prod", "hr"})});
  store.insert({object("o5", "carol", 2, 3, 256, 3, {"backup"}, {})});
}

}  // namespace

TEST_CASE("both backends have the same migrations") {
  const auto sqlite = kms::store::sqlite::migrations();
  const auto postgres = kms::store::postgres::migrations();
  REQUIRE(sqlite.size() == postgres.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    CHECK(sqlite[i].version == postgres[i].version);
    CHECK(sqlite[i].description == postgres[i].description);
  }
}

TEST_CASE_TEMPLATE("contract: insert and get round-trip every field and both blobs", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  CHECK(owned->schemaVersion() == B::latest());
  store.ping();
  StoredObject in = makeObject("uid-1", "bob");
  in.objectType = 4;
  in.state = 1;
  in.algorithm = 4;
  in.length = -7;
  // Strings that a naive encoding would mangle: separators, quotes, braces, "NULL", UTF-8.
  in.names = {"zeta", "alpha", "zeta", "mid", "a,b", "q\"uote", "{brace}", "NULL", "back\\slash", "", "caf\xc3\xa9"};
  in.tags = {"t2", "t1", "with space"};
  in.object = bytes(4096, 3);
  in.object[10] = 0;
  in.attributes = bytes(100, 200);
  in.createdMicros = 42;
  in.version = 99;
  const std::int64_t before = nowMicros();
  store.insert({in});
  const std::int64_t after = nowMicros();

  const auto out = store.get("uid-1");
  REQUIRE(out);
  CHECK(out->uid == "uid-1");
  CHECK(out->owner == "bob");
  CHECK(out->objectType == 4);
  CHECK(out->state == 1);
  CHECK(out->algorithm == 4);
  CHECK(out->length == -7);
  CHECK(out->names == std::vector<std::string>{"zeta", "alpha", "mid", "a,b", "q\"uote", "{brace}", "NULL",
                                               "back\\slash", "", "caf\xc3\xa9"});
  CHECK(out->tags == std::vector<std::string>{"t2", "t1", "with space"});
  CHECK(out->object == in.object);
  CHECK(out->attributes == in.attributes);
  CHECK(out->createdMicros >= before);
  CHECK(out->createdMicros <= after);
  CHECK(out->updatedMicros == out->createdMicros);
  CHECK(out->version == 1);
  CHECK_FALSE(store.get("missing"));

  LocateQuery q;
  q.name = "NULL";
  CHECK(store.locate(q) == Uids{"uid-1"});
  q.name = "a,b";
  CHECK(store.locate(q) == Uids{"uid-1"});
}

TEST_CASE_TEMPLATE("contract: empty blobs and large enumeration values round-trip", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  StoredObject in = makeObject("e");
  in.object.clear();
  in.attributes.clear();
  in.objectType = 0xFFFFFFFFu;
  in.algorithm = 0x80000001u;
  in.length = std::numeric_limits<std::int32_t>::min();
  store.insert({in});
  const auto out = store.get("e");
  REQUIRE(out);
  CHECK(out->object.empty());
  CHECK(out->attributes.empty());
  CHECK(out->objectType == 0xFFFFFFFFu);
  CHECK(out->algorithm == 0x80000001u);
  CHECK(out->length == std::numeric_limits<std::int32_t>::min());
  CHECK(out->names.empty());
  CHECK(out->tags.empty());
  LocateQuery q;
  q.objectType = 0xFFFFFFFFu;
  CHECK(store.locate(q) == Uids{"e"});
}

TEST_CASE_TEMPLATE("contract: a duplicate uid fails the whole batch with AlreadyExists", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("a")});

  SUBCASE("against a stored object") {
    auto b = makeObject("b");
    b.names = {"nb"};
    b.tags = {"tb"};
    CHECK(codeOf([&] { store.insert({b, makeObject("a"), makeObject("c")}); }) == ErrorCode::AlreadyExists);
  }
  SUBCASE("within the batch") {
    CHECK(codeOf([&] {
            store.insert({makeObject("b"), makeObject("c"), makeObject("b")});
          }) == ErrorCode::AlreadyExists);
  }
  CHECK_FALSE(store.get("b"));
  CHECK_FALSE(store.get("c"));
  CHECK(store.locate({}) == Uids{"a"});
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_names") == 0);
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_tags") == 0);
  store.insert({makeObject("b")});
  CHECK(store.get("b"));
}

TEST_CASE_TEMPLATE("contract: an empty uid is refused and an empty batch does nothing", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({});
  CHECK(codeOf([&] { store.insert({makeObject("")}); }) == ErrorCode::InvalidField);
  CHECK(store.locate({}).empty());
}

TEST_CASE_TEMPLATE("contract: update replaces columns, names and tags, and checks the version", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  auto original = makeObject("u");
  original.names = {"n1"};
  original.tags = {"t1", "t2"};
  store.insert({original});
  auto current = *store.get("u");

  current.owner = "carol";
  current.state = 3;
  current.algorithm = 5;
  current.length = 128;
  current.names = {"n2", "n3", "n2"};
  current.tags = {"t3"};
  current.object = bytes(10, 77);
  current.attributes = bytes(11, 88);
  store.update(current);

  const auto updated = *store.get("u");
  CHECK(updated.version == 2);
  CHECK(updated.owner == "carol");
  CHECK(updated.state == 3);
  CHECK(updated.algorithm == 5);
  CHECK(updated.length == 128);
  CHECK(updated.names == std::vector<std::string>{"n2", "n3"});
  CHECK(updated.tags == std::vector<std::string>{"t3"});
  CHECK(updated.object == current.object);
  CHECK(updated.attributes == current.attributes);
  CHECK(updated.createdMicros == current.createdMicros);
  CHECK(updated.updatedMicros > current.updatedMicros);

  LocateQuery byOldName;
  byOldName.name = "n1";
  CHECK(store.locate(byOldName).empty());

  SUBCASE("a stale version is refused and changes nothing") {
    auto stale = current;
    stale.owner = "mallory";
    stale.names = {"evil"};
    try {
      store.update(stale);
      FAIL("expected InvalidField");
    } catch (const Exception& e) {
      CHECK(e.code() == ErrorCode::InvalidField);
      CHECK(std::string(e.what()).find("concurrent update") != std::string::npos);
    }
    const auto after = *store.get("u");
    CHECK(after.owner == "carol");
    CHECK(after.version == 2);
    CHECK(after.names == std::vector<std::string>{"n2", "n3"});
  }
  SUBCASE("the fresh version is accepted") {
    auto next = updated;
    next.state = 4;
    store.update(next);
    CHECK(store.get("u")->version == 3);
  }
  SUBCASE("a missing object is NotFound") {
    auto missing = updated;
    missing.uid = "nope";
    CHECK(codeOf([&] { store.update(missing); }) == ErrorCode::NotFound);
  }
}

TEST_CASE_TEMPLATE("contract: remove cascades to names, tags and access", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  auto o = makeObject("r");
  o.names = {"n"};
  o.tags = {"t1", "t2"};
  store.insert({o, makeObject("keep")});
  store.grant("r", "bob", {"get", "encrypt"});
  store.grant("keep", "bob", {"get"});

  CHECK(store.remove("r"));
  CHECK_FALSE(store.remove("r"));
  CHECK_FALSE(store.get("r"));
  CHECK(store.listAccess("r").empty());
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_names WHERE uid = 'r'") == 0);
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_tags WHERE uid = 'r'") == 0);
  CHECK(backend.scalar("SELECT COUNT(*) FROM access WHERE uid = 'r'") == 0);
  CHECK(backend.scalar("SELECT COUNT(*) FROM access WHERE uid = 'keep'") == 1);
  store.insert({makeObject("r")});
  CHECK(store.listAccess("r").empty());
  CHECK(store.get("r")->tags.empty());
}

TEST_CASE_TEMPLATE("contract: objects and access survive reopening the store", B, KMS_BACKENDS) {
  B backend;
  auto o = makeObject("p", "dave");
  o.names = {"persist"};
  o.tags = {"pt"};
  o.object = bytes(1024, 5);
  {
    auto store = backend.open();
    store->insert({o});
    store->grant("p", "erin", {"decrypt"});
    auto current = *store->get("p");
    current.state = 3;
    store->update(current);
  }
  auto reopened = backend.open();
  const auto out = reopened->get("p");
  REQUIRE(out);
  CHECK(out->owner == "dave");
  CHECK(out->state == 3);
  CHECK(out->version == 2);
  CHECK(out->object == o.object);
  CHECK(out->names == o.names);
  CHECK(out->tags == o.tags);
  CHECK(reopened->operationsFor("p", "erin") == Ops{"decrypt"});
  // Timestamps keep increasing across a reopen.
  reopened->insert({makeObject("later")});
  CHECK(reopened->locate({}) == Uids{"later", "p"});
}

TEST_CASE_TEMPLATE("contract: accessOf gives owner and grants, nothing for a missing object", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("k", "alice")});
  CHECK(!store.accessOf("missing", "bob"));
  auto access = store.accessOf("k", "bob");
  REQUIRE(access);
  CHECK(access->owner == "alice");
  CHECK(access->operations.empty());
  store.grant("k", "bob", {"get", "encrypt"});
  store.grant("k", "*", {"locate"});
  access = store.accessOf("k", "bob");
  REQUIRE(access);
  CHECK(access->owner == "alice");
  CHECK(access->operations == Ops{"encrypt", "get", "locate"});
  CHECK(store.accessOf("k", "carol")->operations == Ops{"locate"});
  CHECK(store.accessOf("k", "alice")->owner == "alice");
  CHECK(store.accessOf("hsm::p::0::key", "bob") == std::nullopt);  // HSM keys have no object row

  CHECK(store.hsmKeysGrantedTo("bob").empty());
  store.grant("hsm::p::0::a", "bob", {"encrypt"});
  store.grant("hsm::p::0::b", "*", {"get"});
  store.grant("hsm::p::0::c", "carol", {"get"});
  CHECK(store.hsmKeysGrantedTo("bob") == Ops{"hsm::p::0::a", "hsm::p::0::b"});
}

TEST_CASE_TEMPLATE("contract: grant, revoke, operationsFor and listAccess", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("k", "alice")});
  CHECK(store.operationsFor("k", "bob").empty());
  CHECK(store.listAccess("k").empty());

  store.grant("k", "bob", {"get", "encrypt"});
  store.grant("k", "bob", {"encrypt", "decrypt"});
  store.grant("k", "*", {"get", "locate"});
  store.grant("k", "carol", {});

  CHECK(store.operationsFor("k", "bob") == Ops{"decrypt", "encrypt", "get", "locate"});
  CHECK(store.operationsFor("k", "carol") == Ops{"get", "locate"});
  CHECK(store.operationsFor("other", "bob").empty());

  const auto access = store.listAccess("k");
  REQUIRE(access.size() == 2);
  CHECK(access[0].user == "*");
  CHECK(access[0].operations == Ops{"get", "locate"});
  CHECK(access[1].user == "bob");
  CHECK(access[1].operations == Ops{"decrypt", "encrypt", "get"});

  store.revoke("k", "bob", {"encrypt", "sign"});
  CHECK(store.operationsFor("k", "bob") == Ops{"decrypt", "get", "locate"});
  store.revoke("k", "*", {"get", "locate"});
  CHECK(store.operationsFor("k", "carol").empty());
  store.revoke("k", "bob", {"decrypt", "get"});
  CHECK(store.listAccess("k").empty());
  store.revoke("missing", "bob", {"get"});
  CHECK(codeOf([&] { store.grant("missing", "bob", {"get"}); }) == ErrorCode::NotFound);
}

TEST_CASE_TEMPLATE("contract: listAccess sorts users bytewise", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("k")});
  for (const char* user : {"bob", "Zed", "*", "alice", "_x", "Alice"}) store.grant("k", user, {"get"});
  std::vector<std::string> users;
  for (const auto& entry : store.listAccess("k")) users.push_back(entry.user);
  CHECK(users == std::vector<std::string>{"*", "Alice", "Zed", "_x", "alice", "bob"});
}

TEST_CASE_TEMPLATE("contract: ownedBy and obtainedBy", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("a1", "alice")});
  store.insert({makeObject("a2", "alice")});
  store.insert({makeObject("b1", "bob")});
  store.insert({makeObject("b2", "bob")});

  CHECK(store.ownedBy("alice") == Uids{"a2", "a1"});
  CHECK(store.ownedBy("bob") == Uids{"b2", "b1"});
  CHECK(store.ownedBy("nobody").empty());

  store.grant("b1", "alice", {"get"});
  store.grant("b2", "alice", {"encrypt", "decrypt"});
  store.grant("a1", "alice", {"get"});
  store.grant("b1", "*", {"locate"});

  const auto obtained = store.obtainedBy("alice");
  REQUIRE(obtained.size() == 2);
  CHECK(obtained[0].first == "b2");
  CHECK(obtained[0].second == Ops{"decrypt", "encrypt"});
  CHECK(obtained[1].first == "b1");
  CHECK(obtained[1].second == Ops{"get"});
  CHECK(store.obtainedBy("bob").empty());

  auto b1 = *store.get("b1");
  b1.owner = "alice";
  store.update(b1);
  CHECK(store.obtainedBy("alice").size() == 1);
  CHECK(store.ownedBy("alice") == Uids{"b1", "a2", "a1"});
}

TEST_CASE_TEMPLATE("contract: locate filters, alone and combined", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  populate(store);

  LocateQuery q;
  CHECK(store.locate(q) == Uids{"o5", "o4", "o3", "o2", "o1"});

  SUBCASE("name") {
    q.name = "payroll";
    CHECK(store.locate(q) == Uids{"o2", "o1"});
    q.name = "old-payroll";
    CHECK(store.locate(q) == Uids{"o2"});
    q.name = "Payroll";
    CHECK(store.locate(q).empty());
  }
  SUBCASE("tags: every one must be present") {
    q.tags = {"hr"};
    CHECK(store.locate(q) == Uids{"o4", "o2", "o1"});
    q.tags = {"hr", "prod"};
    CHECK(store.locate(q) == Uids{"o4", "o1"});
    q.tags = {"prod", "hr", "prod"};
    CHECK(store.locate(q) == Uids{"o4", "o1"});
    q.tags = {"hr", "nope"};
    CHECK(store.locate(q).empty());
  }
  SUBCASE("object type, algorithm, length, state") {
    q.objectType = 2;
    CHECK(store.locate(q) == Uids{"o5", "o2", "o1"});
    q = {};
    q.algorithm = 4;
    CHECK(store.locate(q) == Uids{"o4", "o3"});
    q = {};
    q.length = 256;
    CHECK(store.locate(q) == Uids{"o5", "o1"});
    q = {};
    q.state = 2;
    CHECK(store.locate(q) == Uids{"o4", "o3", "o1"});
  }
  SUBCASE("combinations") {
    q.objectType = 2;
    q.length = 256;
    CHECK(store.locate(q) == Uids{"o5", "o1"});
    q.state = 2;
    CHECK(store.locate(q) == Uids{"o1"});
    q = {};
    q.name = "payroll";
    q.tags = {"prod"};
    CHECK(store.locate(q) == Uids{"o1"});
    q = {};
    q.tags = {"prod"};
    q.algorithm = 4;
    q.length = 2048;
    q.objectType = 4;
    CHECK(store.locate(q) == Uids{"o3"});
    q.visibleTo = "alice";
    CHECK(store.locate(q).empty());
  }
  SUBCASE("offset and limit page through newest first") {
    q.limit = 2;
    CHECK(store.locate(q) == Uids{"o5", "o4"});
    q.offset = 2;
    CHECK(store.locate(q) == Uids{"o3", "o2"});
    q.offset = 4;
    CHECK(store.locate(q) == Uids{"o1"});
    q.offset = 5;
    CHECK(store.locate(q).empty());
    q.limit = 0;
    q.offset = 0;
    CHECK(store.locate(q).empty());
    q.limit.reset();
    q.offset = 3;
    CHECK(store.locate(q) == Uids{"o2", "o1"});
    q.objectType = 2;
    q.offset = 1;
    q.limit = 1;
    CHECK(store.locate(q) == Uids{"o2"});
  }
  SUBCASE("states: one of, none of") {
    q.statesIn = {1, 3};
    CHECK(store.locate(q) == Uids{"o5", "o2"});
    q.statesIn.clear();
    q.statesNotIn = {1, 3};
    CHECK(store.locate(q) == Uids{"o4", "o3", "o1"});
    q.statesIn = {2, 3};
    CHECK(store.locate(q) == Uids{"o4", "o3", "o1"});
    q.tags = {"hr"};
    q.visibleTo = "alice";
    CHECK(store.locate(q) == Uids{"o1"});
  }
  SUBCASE("visibleTo: owner, direct grant, '*' grant") {
    q.visibleTo = "alice";
    CHECK(store.locate(q) == Uids{"o2", "o1"});
    store.grant("o3", "alice", {"get"});
    CHECK(store.locate(q) == Uids{"o3", "o2", "o1"});
    store.grant("o5", "*", {"encrypt"});
    CHECK(store.locate(q) == Uids{"o5", "o3", "o2", "o1"});
    store.grant("o1", "alice", {"get", "encrypt"});  // owner and grantee: listed once
    CHECK(store.locate(q) == Uids{"o5", "o3", "o2", "o1"});
    q.visibleTo = "dave";
    CHECK(store.locate(q) == Uids{"o5"});
    store.grant("o4", "bob-friend", {"get"});
    CHECK(store.locate(q) == Uids{"o5"});
    store.revoke("o5", "*", {"encrypt"});
    CHECK(store.locate(q).empty());
    q.visibleTo = "bob";
    q.tags = {"hr"};
    CHECK(store.locate(q) == Uids{"o4"});
  }
}

TEST_CASE_TEMPLATE("contract: the wrapping key round-trips, is replaced and cleared by update", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  auto wrapped = makeObject("w");
  wrapped.wrappingKey = "hsm::softhsm2::0::kek-1";
  store.insert({wrapped, makeObject("clear")});

  CHECK(store.get("w")->wrappingKey == "hsm::softhsm2::0::kek-1");
  CHECK(store.get("clear")->wrappingKey.empty());
  // Empty is stored as NULL, never '', so that the partial index holds only wrapped objects.
  CHECK(backend.scalar("SELECT COUNT(*) FROM objects WHERE wrapping_key IS NULL") == 1);
  CHECK(backend.scalar("SELECT COUNT(*) FROM objects WHERE wrapping_key = ''") == 0);

  auto current = *store.get("w");
  current.wrappingKey = "hsm::softhsm2::0::kek-2";
  store.update(current);
  auto updated = *store.get("w");
  CHECK(updated.wrappingKey == "hsm::softhsm2::0::kek-2");
  CHECK(updated.version == 2);

  SUBCASE("an update that leaves it empty clears it") {
    updated.wrappingKey.clear();
    store.update(updated);
    CHECK(store.get("w")->wrappingKey.empty());
    CHECK(backend.scalar("SELECT COUNT(*) FROM objects WHERE wrapping_key IS NULL") == 2);
  }
  SUBCASE("an update of a clear object can set it") {
    auto clear = *store.get("clear");
    clear.wrappingKey = "hsm::softhsm2::0::kek-2";
    store.update(clear);
    CHECK(store.get("clear")->wrappingKey == "hsm::softhsm2::0::kek-2");
  }
  SUBCASE("a stale update does not change it") {
    current.wrappingKey = "hsm::softhsm2::0::kek-3";
    CHECK(codeOf([&] { store.update(current); }) == ErrorCode::InvalidField);
    CHECK(store.get("w")->wrappingKey == "hsm::softhsm2::0::kek-2");
  }
}

TEST_CASE_TEMPLATE("contract: locate by wrapping key, alone and combined", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  populate(store);  // o1..o5, none wrapped by the server
  const std::string kek1 = "hsm::softhsm2::0::kek-1";
  const std::string kek2 = "hsm::softhsm2::0::kek-2";
  for (const auto& [uid, kek] :
       std::vector<std::pair<std::string, std::string>>{{"o1", kek1}, {"o3", kek1}, {"o4", kek1}, {"o5", kek2}}) {
    auto o = *store.get(uid);
    o.wrappingKey = kek;
    store.update(o);
  }

  LocateQuery q;
  CHECK(store.locate(q) == Uids{"o5", "o4", "o3", "o2", "o1"});  // no filter: wrapped or not
  q.wrappingKey = kek1;
  CHECK(store.locate(q) == Uids{"o4", "o3", "o1"});
  q.wrappingKey = kek2;
  CHECK(store.locate(q) == Uids{"o5"});

  SUBCASE("no match") {
    q.wrappingKey = "hsm::softhsm2::0::other";
    CHECK(store.locate(q).empty());
    q.wrappingKey = "hsm::softhsm2::0::kek";  // a prefix is not a match
    CHECK(store.locate(q).empty());
    q.wrappingKey = "HSM::softhsm2::0::kek-1";
    CHECK(store.locate(q).empty());
  }
  SUBCASE("empty selects the objects the server did not wrap") {
    q.wrappingKey = "";
    CHECK(store.locate(q) == Uids{"o2"});
    q.objectType = 2;
    CHECK(store.locate(q) == Uids{"o2"});
    q.objectType = 4;
    CHECK(store.locate(q).empty());
  }
  SUBCASE("with object type, algorithm, length and state") {
    q.wrappingKey = kek1;
    q.objectType = 2;
    CHECK(store.locate(q) == Uids{"o1"});
    q.objectType = 4;
    CHECK(store.locate(q) == Uids{"o3"});
    q.objectType = 5;
    CHECK(store.locate(q).empty());
    q = {};
    q.wrappingKey = kek1;
    q.algorithm = 4;
    q.length = 2048;
    CHECK(store.locate(q) == Uids{"o4", "o3"});
    q.state = 2;
    CHECK(store.locate(q) == Uids{"o4", "o3"});
    q.state = 1;
    CHECK(store.locate(q).empty());
  }
  SUBCASE("with name, tags and visibleTo") {
    q.wrappingKey = kek1;
    q.name = "payroll";
    CHECK(store.locate(q) == Uids{"o1"});
    q.name.reset();
    q.tags = {"hr"};
    CHECK(store.locate(q) == Uids{"o4", "o1"});
    q.tags = {"hr", "prod"};
    CHECK(store.locate(q) == Uids{"o4", "o1"});
    q.tags.clear();
    q.visibleTo = "bob";
    CHECK(store.locate(q) == Uids{"o4", "o3"});
    q.tags = {"hr"};
    CHECK(store.locate(q) == Uids{"o4"});
    q.wrappingKey = kek2;
    CHECK(store.locate(q).empty());
  }
  SUBCASE("pages newest first") {
    q.wrappingKey = kek1;
    q.limit = 2;
    CHECK(store.locate(q) == Uids{"o4", "o3"});
    q.offset = 2;
    CHECK(store.locate(q) == Uids{"o1"});
  }
  SUBCASE("follows re-wrapping and removal") {
    auto o3 = *store.get("o3");
    o3.wrappingKey = kek2;
    store.update(o3);
    q.wrappingKey = kek1;
    CHECK(store.locate(q) == Uids{"o4", "o1"});
    q.wrappingKey = kek2;
    CHECK(store.locate(q) == Uids{"o5", "o3"});
    CHECK(store.remove("o5"));
    CHECK(store.locate(q) == Uids{"o3"});
  }
}

TEST_CASE_TEMPLATE("contract: objects of one batch share a time and are ordered by uid", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("first")});
  store.insert({makeObject("c"), makeObject("a"), makeObject("B"), makeObject("b")});
  CHECK(store.locate({}) == Uids{"B", "a", "b", "c", "first"});
  CHECK(store.get("a")->createdMicros == store.get("c")->createdMicros);
}

TEST_CASE_TEMPLATE("contract: API tokens", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  TokenStore& tokens = *owned;
  CHECK(tokens.listTokens().empty());
  CHECK_FALSE(tokens.findToken("t1"));
  ApiTokenRecord t1{"t1", "alice", bytes(32, 1), 0, std::nullopt};
  ApiTokenRecord t2{"t2", "bob", bytes(32, 2), 0, std::nullopt};
  const std::int64_t before = nowMicros();
  tokens.insertToken(t1);
  tokens.insertToken(t2);
  CHECK(codeOf([&] {
          tokens.insertToken(ApiTokenRecord{"t1", "mallory", bytes(32, 3), 0, std::nullopt});
        }) == ErrorCode::AlreadyExists);
  CHECK(codeOf([&] {
          tokens.insertToken(ApiTokenRecord{"", "x", bytes(32, 3), 0, std::nullopt});
        }) == ErrorCode::InvalidField);

  const auto found = tokens.findToken("t1");
  REQUIRE(found);
  CHECK(found->user == "alice");
  CHECK(found->hash == t1.hash);
  CHECK(found->createdMicros >= before);
  CHECK_FALSE(found->revokedMicros);

  const auto list = tokens.listTokens();
  REQUIRE(list.size() == 2);
  CHECK(list[0].id == "t2");  // newest first
  CHECK(list[1].id == "t1");

  CHECK(tokens.revokeToken("t1"));
  CHECK_FALSE(tokens.revokeToken("t1"));
  CHECK_FALSE(tokens.revokeToken("missing"));
  const auto revoked = tokens.findToken("t1");
  REQUIRE(revoked);
  REQUIRE(revoked->revokedMicros);
  CHECK(*revoked->revokedMicros >= found->createdMicros);
  CHECK(tokens.listTokens().size() == 2);  // revoked tokens stay listed
}

TEST_CASE_TEMPLATE("contract: migrations run once, and a newer schema is refused untouched", B, KMS_BACKENDS) {
  B backend;
  std::int64_t appliedAt = 0;
  {
    auto store = backend.open();
    CHECK(store->schemaVersion() == B::latest());
    store->insert({makeObject("m")});
    CHECK(backend.scalar("SELECT COUNT(*) FROM schema_version") == B::latest());
    appliedAt = backend.scalar("SELECT applied_us FROM schema_version WHERE version = 1");
  }
  for (int i = 0; i < 2; ++i) {
    auto store = backend.open();
    CHECK(store->schemaVersion() == B::latest());
    CHECK(store->get("m"));
  }
  CHECK(backend.scalar("SELECT COUNT(*) FROM schema_version") == B::latest());
  CHECK(backend.scalar("SELECT applied_us FROM schema_version WHERE version = 1") == appliedAt);

  backend.exec("INSERT INTO schema_version (version, description, applied_us) VALUES (999, 'from the future', 0)");
  try {
    auto store = backend.open();
    FAIL("expected the store to refuse the database");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::InternalError);
    const std::string message = e.what();
    CHECK(message.find("999") != std::string::npos);
    CHECK(message.find("newer") != std::string::npos);
  }
  CHECK(backend.scalar("SELECT MAX(version) FROM schema_version") == 999);
  CHECK(backend.scalar("SELECT COUNT(*) FROM objects") == 1);
}

TEST_CASE_TEMPLATE("contract: a version 3 database upgrades to the latest and keeps its rows", B, KMS_BACKENDS) {
  B backend;
  REQUIRE(B::latest() >= 4);
  // The database as a kmsd with migrations 1 to 3 left it, with one object, its names, tags
  // and grants, a grant on an HSM key and an API token.
  backend.exec(B::kSchemaVersionTable);
  for (const Migration& migration : B::migrations()) {
    if (migration.version > 3) break;
    backend.exec(std::string(migration.sql));
    backend.exec("INSERT INTO schema_version (version, description, applied_us) VALUES (" +
                 std::to_string(migration.version) + ", 'before 4', 7)");
  }
  backend.exec(
      "INSERT INTO objects (uid, owner, object_type, state, algorithm, length, object, attributes, created_us,"
      " updated_us, version) VALUES ('old', 'alice', 2, 2, 3, 256, " +
      B::blobLiteral("0102ff") + ", " + B::blobLiteral("") + ", 1000, 2000, 3)");
  backend.exec("INSERT INTO object_names (uid, name, position) VALUES ('old', 'legacy', 0)");
  backend.exec("INSERT INTO object_tags (uid, tag, position) VALUES ('old', 'kept', 0)");
  backend.exec("INSERT INTO access (uid, user_id, operation) VALUES ('old', 'bob', 'get')");
  backend.exec("INSERT INTO hsm_access (uid, user_id, operation) VALUES ('hsm::p::0::k', 'bob', 'encrypt')");
  backend.exec("INSERT INTO api_tokens (id, user_id, hash, created_us) VALUES ('t', 'bob', " + B::blobLiteral("aa") +
               ", 5)");
  CHECK(backend.scalar(B::indexCount("objects_by_wrapping_key")) == 0);

  auto store = backend.open();
  CHECK(store->schemaVersion() == B::latest());
  CHECK(backend.scalar("SELECT COUNT(*) FROM schema_version") == B::latest());
  CHECK(backend.scalar("SELECT COUNT(*) FROM schema_version WHERE applied_us = 7") == 3);  // 1-3 not rerun
  CHECK(backend.scalar(B::indexCount("objects_by_wrapping_key")) == 1);

  auto old = store->get("old");
  REQUIRE(old);
  CHECK(old->owner == "alice");
  CHECK(old->object == std::vector<std::uint8_t>{0x01, 0x02, 0xff});
  CHECK(old->attributes.empty());
  CHECK(old->createdMicros == 1000);
  CHECK(old->updatedMicros == 2000);
  CHECK(old->version == 3);
  CHECK(old->names == std::vector<std::string>{"legacy"});
  CHECK(old->tags == std::vector<std::string>{"kept"});
  CHECK(old->wrappingKey.empty());
  CHECK(store->operationsFor("old", "bob") == Ops{"get"});
  CHECK(store->operationsFor("hsm::p::0::k", "bob") == Ops{"encrypt"});
  CHECK(store->findToken("t"));

  LocateQuery q;
  q.wrappingKey = "";
  CHECK(store->locate(q) == Uids{"old"});
  q.wrappingKey = "hsm::p::0::kek";
  CHECK(store->locate(q).empty());
  // The upgraded row takes a wrapping key like a new one.
  old->wrappingKey = "hsm::p::0::kek";
  store->update(*old);
  CHECK(store->locate(q) == Uids{"old"});
  CHECK(store->get("old")->wrappingKey == "hsm::p::0::kek");
}

// Migration 5 (issue 22, finding 5): each name and tag row gets its object's owner, for the
// (value, owner, uid) indexes that a user's Locate reads; old rows are filled from objects.
TEST_CASE_TEMPLATE("contract: a version 4 database upgrades to 5: names and tags get their owner", B, KMS_BACKENDS) {
  B backend;
  REQUIRE(B::latest() >= 5);
  backend.exec(B::kSchemaVersionTable);
  for (const Migration& migration : B::migrations()) {
    if (migration.version > 4) break;
    backend.exec(std::string(migration.sql));
    backend.exec("INSERT INTO schema_version (version, description, applied_us) VALUES (" +
                 std::to_string(migration.version) + ", 'before 5', 7)");
  }
  for (const auto& [uid, owner, created] : {std::tuple{"a1", "alice", "1"}, {"b1", "bob", "2"}, {"b2", "bob", "3"}}) {
    backend.exec(std::string("INSERT INTO objects (uid, owner, object_type, state, algorithm, length, object,"
                             " attributes, created_us, updated_us, version) VALUES ('") +
                 uid + "', '" + owner + "', 2, 2, 3, 256, " + B::blobLiteral("00") + ", " + B::blobLiteral("") + ", " +
                 created + ", " + created + ", 1)");
  }
  backend.exec("INSERT INTO object_names (uid, name, position) VALUES ('a1', 'n', 0), ('b1', 'n', 0)");
  backend.exec(
      "INSERT INTO object_tags (uid, tag, position) VALUES ('a1', 't', 0), ('b1', 't', 0), ('b1', 'u', 1),"
      " ('b2', 'u', 0)");
  backend.exec("INSERT INTO access (uid, user_id, operation) VALUES ('a1', 'bob', 'get')");

  auto store = backend.open();
  CHECK(store->schemaVersion() == B::latest());
  CHECK(backend.scalar("SELECT COUNT(*) FROM schema_version WHERE applied_us = 7") == 4);  // 1-4 not rerun
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_names n JOIN objects o ON o.uid = n.uid WHERE n.owner = o.owner") ==
        2);
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_tags t JOIN objects o ON o.uid = t.uid WHERE t.owner = o.owner") ==
        4);
  CHECK(backend.scalar(B::indexCount("object_names_by_name")) == 1);
  CHECK(backend.scalar(B::indexCount("object_tags_by_tag")) == 1);

  LocateQuery q;
  q.visibleTo = "bob";
  q.tags = {"t"};
  CHECK(store->locate(q) == Uids{"b1", "a1"});  // his own, and alice's granted to him
  q.tags = {"u", "t"};
  CHECK(store->locate(q) == Uids{"b1"});
  q.tags.clear();
  q.name = "n";
  q.visibleTo = "alice";
  CHECK(store->locate(q) == Uids{"a1"});
  q.visibleTo.reset();
  CHECK(store->locate(q) == Uids{"b1", "a1"});  // newest first
  CHECK(store->get("b1")->tags == std::vector<std::string>{"t", "u"});
  // Rows written after the upgrade carry their owner too, also when the owner changes.
  auto moved = store->get("b2");
  REQUIRE(moved);
  moved->owner = "alice";
  store->update(*moved);
  q = {};
  q.visibleTo = "alice";
  q.tags = {"u"};
  CHECK(store->locate(q) == Uids{"b2"});
  q.visibleTo = "bob";
  CHECK(store->locate(q) == Uids{"b1"});
}

TEST_CASE_TEMPLATE("contract: a failed migration leaves no partial schema behind", B, KMS_BACKENDS) {
  B backend;
  // A table named like one the first migration creates makes it fail half-way.
  backend.exec("CREATE TABLE object_names (x INTEGER)");
  CHECK_THROWS_AS(backend.open(), Exception);
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_names") == 0);  // still the foreign table
  CHECK_THROWS(backend.scalar("SELECT COUNT(*) FROM objects"));
  CHECK_THROWS(backend.scalar("SELECT COUNT(*) FROM schema_version"));
}

TEST_CASE_TEMPLATE("contract: 8 threads insert and read at the same time without errors", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const std::string owner = "owner-" + std::to_string(t);
        for (int i = 0; i < kPerThread; ++i) {
          const std::string uid = owner + "-" + std::to_string(i);
          StoredObject o = makeObject(uid, owner);
          o.tags = {"thread-" + std::to_string(t)};
          o.object = bytes(1024, static_cast<std::uint8_t>(i));
          store.insert({o});
          const auto back = store.get(uid);
          if (!back || back->object != o.object) ++failures;
          LocateQuery q;
          q.visibleTo = owner;
          if (store.locate(q).size() != static_cast<std::size_t>(i + 1)) ++failures;
          (void)store.get("owner-" + std::to_string((t + 1) % kThreads) + "-0");
          if (i % 10 == 0) store.ping();
        }
      } catch (const std::exception& e) {
        errors[t] = e.what();
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& e : errors) CHECK_MESSAGE(e.empty(), e);
  CHECK(failures == 0);
  CHECK(store.locate({}).size() == kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    LocateQuery q;
    q.tags = {"thread-" + std::to_string(t)};
    CHECK(store.locate(q).size() == kPerThread);
  }
}

TEST_CASE_TEMPLATE("contract: concurrent inserts that fail leave the others stored", B, KMS_BACKENDS) {
  // SQLite commits concurrent inserts together (GroupCommit): a failing one must be undone
  // alone, and every caller must get its own outcome.
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("taken")});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 30;
  std::atomic<int> wrongOutcomes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string uid = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto fresh = makeObject(uid);
        fresh.names = {"n-" + uid};
        const bool duplicate = i % 3 == 0;
        try {
          if (duplicate) {
            store.insert({fresh, makeObject("taken")});  // the batch fails as a whole
          } else {
            store.insert({fresh});
          }
          if (duplicate) ++wrongOutcomes;
        } catch (const kms::Exception& e) {
          if (!duplicate || e.code() != ErrorCode::AlreadyExists) ++wrongOutcomes;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrongOutcomes == 0);
  CHECK(store.locate({}).size() == 1 + kThreads * (kPerThread - kPerThread / 3));
  for (int t = 0; t < kThreads; ++t) {
    CHECK_FALSE(store.get("t" + std::to_string(t) + "-0"));
    CHECK(store.get("t" + std::to_string(t) + "-1"));
  }
  CHECK(backend.scalar("SELECT COUNT(*) FROM object_names") == kThreads * (kPerThread - kPerThread / 3));
}

TEST_CASE_TEMPLATE("contract: concurrent updates of one object: each version is won exactly once", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  store.insert({makeObject("hot")});
  constexpr int kThreads = 4;
  constexpr int kUpdatesEach = 20;
  std::atomic<int> conflicts{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      int done = 0;
      while (done < kUpdatesEach) {
        try {
          auto o = *store.get("hot");
          o.state = static_cast<std::uint32_t>(o.version);
          o.tags = {"v" + std::to_string(o.version)};
          store.update(o);
          ++done;
        } catch (const Exception& e) {
          if (e.code() == ErrorCode::InvalidField) {
            ++conflicts;
          } else {
            ++errors;
            return;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(errors == 0);
  const auto final = store.get("hot");
  REQUIRE(final);
  CHECK(final->version == 1 + kThreads * kUpdatesEach);
  CHECK(final->tags.size() == 1);
}

TEST_CASE_TEMPLATE("contract: concurrent writes of every kind each get their own outcome", B, KMS_BACKENDS) {
  // SQLite runs every write (insert, update, remove, grant, revoke) through one group commit:
  // writes of different kinds share a transaction, and one that fails (a stale version, a
  // missing object) must neither undo nor fail the others.
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  constexpr int kThreads = 8;
  constexpr int kRounds = 15;
  std::atomic<int> wrongOutcomes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string uid = "w" + std::to_string(t) + "-" + std::to_string(i);
        try {
          store.insert({makeObject(uid)});
          auto object = *store.get(uid);
          auto stale = object;
          object.tags = {"updated"};
          store.update(object);
          try {
            store.update(stale);  // the version moved on: refused alone
            ++wrongOutcomes;
          } catch (const Exception& e) {
            if (e.code() != ErrorCode::InvalidField) ++wrongOutcomes;
          }
          store.grant(uid, "bob", {"encrypt", "get"});
          store.revoke(uid, "bob", {"get"});
          if (i % 2 == 0) {
            if (!store.remove(uid)) ++wrongOutcomes;
            if (store.remove(uid)) ++wrongOutcomes;  // gone already
            try {
              store.update(object);
              ++wrongOutcomes;
            } catch (const Exception& e) {
              if (e.code() != ErrorCode::NotFound) ++wrongOutcomes;
            }
          }
        } catch (const Exception&) {
          ++wrongOutcomes;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrongOutcomes == 0);
  constexpr int kKept = kThreads * (kRounds / 2);
  LocateQuery updated;
  updated.tags = {"updated"};
  CHECK(store.locate(updated).size() == kKept);
  CHECK(store.obtainedBy("bob").size() == kKept);
  const auto kept = store.get("w0-1");
  REQUIRE(kept);
  CHECK(kept->version == 2);
  CHECK(store.operationsFor("w0-1", "bob") == Ops{"encrypt"});
  CHECK_FALSE(store.get("w0-0"));
}

TEST_CASE_TEMPLATE("contract: grants on HSM keys need no object and stay apart from objects", B, KMS_BACKENDS) {
  B backend;
  auto owned = backend.open();
  ObjectStore& store = *owned;
  const std::string key = "hsm::softhsm2::0::k1";
  store.grant(key, "bob", {"encrypt", "decrypt"});
  store.grant(key, "*", {"get"});
  CHECK(store.operationsFor(key, "bob") == Ops{"decrypt", "encrypt", "get"});
  CHECK(store.operationsFor(key, "carol") == Ops{"get"});
  const auto access = store.listAccess(key);
  REQUIRE(access.size() == 2);
  CHECK(access[0].user == "*");
  CHECK(access[1].user == "bob");
  CHECK(store.obtainedBy("bob").empty());
  CHECK(store.ownedBy("bob").empty());
  CHECK(backend.scalar("SELECT COUNT(*) FROM access") == 0);
  store.revoke(key, "bob", {"encrypt"});
  CHECK(store.operationsFor(key, "bob") == Ops{"decrypt", "get"});
  store.revoke(key, "bob", {"decrypt"});
  store.revoke(key, "*", {"get"});
  CHECK(store.listAccess(key).empty());
}
