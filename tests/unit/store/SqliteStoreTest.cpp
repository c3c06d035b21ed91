#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/sqlite/Migrations.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::SqliteStore;
using kms::store::StoredObject;
using namespace kms::store::test;

namespace {

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

}  // namespace

TEST_CASE("SqliteStore creates a private directory and database file") {
  TempDir tmp;
  const auto dir = tmp.path() / "nested" / "db";
  SqliteStore store(dir);
  CHECK(store.databaseFile() == dir / "kms.db");
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(::stat(store.databaseFile().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(store.schemaVersion() == kms::store::latestVersion(kms::store::sqlite::migrations()));
  store.ping();
  RawDb raw(store.databaseFile());
  CHECK(raw.scalar("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
}

TEST_CASE("insert and get round-trip every field and both blobs") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  StoredObject in = makeObject("uid-1", "bob");
  in.objectType = 4;
  in.state = 1;
  in.algorithm = 4;
  in.length = -7;  // any int32 survives
  in.names = {"zeta", "alpha", "zeta", "mid"};
  in.tags = {"t2", "t1"};
  in.object = bytes(4096, 3);
  in.object[10] = 0;  // embedded NULs stay
  in.attributes = bytes(100, 200);
  in.createdMicros = 42;  // ignored: the store sets it
  in.version = 99;        // ignored too
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
  CHECK(out->names == std::vector<std::string>{"zeta", "alpha", "mid"});
  CHECK(out->tags == std::vector<std::string>{"t2", "t1"});
  CHECK(out->object == in.object);
  CHECK(out->attributes == in.attributes);
  CHECK(out->createdMicros >= before);
  CHECK(out->createdMicros <= after);
  CHECK(out->updatedMicros == out->createdMicros);
  CHECK(out->version == 1);

  CHECK_FALSE(store.get("missing"));
}

TEST_CASE("empty blobs and large enumeration values round-trip") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  StoredObject in = makeObject("e");
  in.object.clear();
  in.attributes.clear();
  in.objectType = 0xFFFFFFFFu;
  in.algorithm = 0x80000001u;
  store.insert({in});
  const auto out = store.get("e");
  REQUIRE(out);
  CHECK(out->object.empty());
  CHECK(out->attributes.empty());
  CHECK(out->objectType == 0xFFFFFFFFu);
  CHECK(out->algorithm == 0x80000001u);
  CHECK(out->names.empty());
  CHECK(out->tags.empty());
}

TEST_CASE("a duplicate uid fails the whole batch with AlreadyExists") {
  TempDir tmp;
  SqliteStore store(tmp.path());
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
  CHECK(store.locate({}) == std::vector<std::string>{"a"});
  RawDb raw(store.databaseFile());
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_names") == 0);
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_tags") == 0);
  // The store is still usable after the rolled-back batch.
  store.insert({makeObject("b")});
  CHECK(store.get("b"));
}

TEST_CASE("an empty uid is refused and an empty batch does nothing") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  store.insert({});
  CHECK(codeOf([&] { store.insert({makeObject("")}); }) == ErrorCode::InvalidField);
  CHECK(store.locate({}).empty());
}

TEST_CASE("update replaces columns, names and tags, and checks the version") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  auto original = makeObject("u");
  original.names = {"n1"};
  original.tags = {"t1", "t2"};
  store.insert({original});
  auto current = *store.get("u");

  current.owner = "carol";
  current.state = 3;
  current.algorithm = 5;
  current.length = 128;
  current.names = {"n2", "n3"};
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
  CHECK(updated.updatedMicros >= current.updatedMicros);

  kms::store::LocateQuery byOldName;
  byOldName.name = "n1";
  CHECK(store.locate(byOldName).empty());

  SUBCASE("a stale version is refused and changes nothing") {
    auto stale = current;  // still version 1
    stale.owner = "mallory";
    stale.names = {"evil"};
    CHECK(codeOf([&] { store.update(stale); }) == ErrorCode::InvalidField);
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

TEST_CASE("the stale-version message says concurrent update") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  store.insert({makeObject("u")});
  auto o = *store.get("u");
  o.version = 5;
  try {
    store.update(o);
    FAIL("expected an exception");
  } catch (const Exception& e) {
    CHECK(std::string(e.what()).find("concurrent update") != std::string::npos);
  }
}

TEST_CASE("remove cascades to names, tags and access") {
  TempDir tmp;
  SqliteStore store(tmp.path());
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
  RawDb raw(store.databaseFile());
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_names WHERE uid = 'r'") == 0);
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_tags WHERE uid = 'r'") == 0);
  CHECK(raw.scalar("SELECT COUNT(*) FROM access WHERE uid = 'r'") == 0);
  CHECK(raw.scalar("SELECT COUNT(*) FROM access WHERE uid = 'keep'") == 1);
  // A new object may take the removed uid, without inheriting anything.
  store.insert({makeObject("r")});
  CHECK(store.listAccess("r").empty());
  CHECK(store.get("r")->tags.empty());
}

TEST_CASE("objects and access survive reopening the store") {
  TempDir tmp;
  auto o = makeObject("p", "dave");
  o.names = {"persist"};
  o.tags = {"pt"};
  o.object = bytes(1024, 5);
  {
    SqliteStore store(tmp.path());
    store.insert({o});
    store.grant("p", "erin", {"decrypt"});
    auto current = *store.get("p");
    current.state = 3;
    store.update(current);
  }
  SqliteStore reopened(tmp.path());
  const auto out = reopened.get("p");
  REQUIRE(out);
  CHECK(out->owner == "dave");
  CHECK(out->state == 3);
  CHECK(out->version == 2);
  CHECK(out->object == o.object);
  CHECK(out->names == o.names);
  CHECK(out->tags == o.tags);
  CHECK(reopened.operationsFor("p", "erin") == std::set<std::string>{"decrypt"});
}

TEST_CASE("a file that is not a database is refused with InternalError") {
  TempDir tmp;
  {
    std::FILE* f = std::fopen((tmp.path() / "kms.db").c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  CHECK(codeOf([&] { SqliteStore store(tmp.path()); }) == ErrorCode::InternalError);
}
