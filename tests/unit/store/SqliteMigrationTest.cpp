#include <doctest/doctest.h>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/sqlite/Migrations.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::SqliteStore;
using namespace kms::store::test;

TEST_CASE("migrations run once: reopening applies nothing again") {
  TempDir tmp;
  const int latest = kms::store::latestVersion(kms::store::sqlite::migrations());
  std::int64_t appliedAt = 0;
  {
    SqliteStore store(tmp.path());
    CHECK(store.schemaVersion() == latest);
    store.insert({makeObject("m")});
    RawDb raw(store.databaseFile());
    CHECK(raw.scalar("SELECT COUNT(*) FROM schema_version") == latest);
    appliedAt = raw.scalar("SELECT applied_us FROM schema_version WHERE version = 1");
  }
  for (int i = 0; i < 3; ++i) {
    SqliteStore store(tmp.path());
    CHECK(store.schemaVersion() == latest);
    CHECK(store.get("m"));
  }
  RawDb raw(tmp.path() / "kms.db");
  CHECK(raw.scalar("SELECT COUNT(*) FROM schema_version") == latest);
  CHECK(raw.scalar("SELECT applied_us FROM schema_version WHERE version = 1") == appliedAt);
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == 1);
}

TEST_CASE("a database with a newer schema is refused, untouched") {
  TempDir tmp;
  { SqliteStore store(tmp.path()); }
  {
    RawDb raw(tmp.path() / "kms.db");
    raw.exec("INSERT INTO schema_version (version, description, applied_us) VALUES (999, 'from the future', 0)");
  }
  try {
    SqliteStore store(tmp.path());
    FAIL("expected the store to refuse the database");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::InternalError);
    const std::string message = e.what();
    CHECK(message.find("999") != std::string::npos);
    CHECK(message.find("newer") != std::string::npos);
  }
  RawDb raw(tmp.path() / "kms.db");
  CHECK(raw.scalar("SELECT MAX(version) FROM schema_version") == 999);
}

TEST_CASE("a failed migration leaves no partial schema behind") {
  TempDir tmp;
  {
    // A pre-existing table with the name of one the first migration creates makes it fail
    // half-way: after creating `objects`, at `object_names`.
    RawDb raw(tmp.path() / "kms.db");
    raw.exec("CREATE TABLE object_names (x INTEGER)");
  }
  CHECK_THROWS_AS(SqliteStore(tmp.path()), Exception);
  RawDb raw(tmp.path() / "kms.db");
  CHECK(raw.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'objects'") == 0);
  CHECK(raw.scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'schema_version'") == 0);
}

// Migration 5 on a database written by a kmsd before it: the names and tags get their object's
// owner, the by-value indexes become (value, owner, uid), and a user's Locate finds the objects.
TEST_CASE("migration 5 copies each object's owner into its names and tags") {
  TempDir tmp;
  {
    RawDb raw(tmp.path() / "kms.db");
    raw.exec(
        "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL,"
        " applied_us INTEGER NOT NULL)");
    for (const auto& migration : kms::store::sqlite::migrations()) {
      if (migration.version > 4) break;
      raw.exec(std::string(migration.sql));
      raw.exec("INSERT INTO schema_version VALUES (" + std::to_string(migration.version) + ", 'old', 0)");
    }
    raw.exec(
        "INSERT INTO objects (uid, owner, object_type, state, algorithm, length, object, attributes, created_us,"
        " updated_us, version) VALUES ('a1', 'alice', 2, 2, 3, 256, x'00', x'00', 1, 1, 1),"
        " ('b1', 'bob', 2, 2, 3, 256, x'00', x'00', 2, 2, 1)");
    raw.exec("INSERT INTO object_names (uid, name, position) VALUES ('a1', 'n', 0), ('b1', 'n', 0)");
    raw.exec("INSERT INTO object_tags (uid, tag, position) VALUES ('a1', 't', 0), ('b1', 't', 0), ('b1', 'u', 1)");
  }
  SqliteStore store(tmp.path());
  CHECK(store.schemaVersion() == kms::store::latestVersion(kms::store::sqlite::migrations()));
  RawDb raw(store.databaseFile());
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_names WHERE owner = (SELECT owner FROM objects o WHERE o.uid ="
                   " object_names.uid)") == 2);
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_tags WHERE owner = (SELECT owner FROM objects o WHERE o.uid ="
                   " object_tags.uid)") == 3);
  CHECK(raw.scalar("SELECT COUNT(*) FROM pragma_index_info('object_tags_by_tag')") == 3);
  CHECK(raw.scalar("SELECT COUNT(*) FROM pragma_index_info('object_names_by_name')") == 3);
  CHECK(raw.scalar("SELECT COUNT(*) FROM pragma_index_info('object_tags_by_tag') WHERE name = 'owner'") == 1);
  kms::store::LocateQuery q;
  q.visibleTo = "bob";
  q.tags = {"t"};
  CHECK(store.locate(q) == std::vector<std::string>{"b1"});
  q.tags.clear();
  q.name = "n";
  CHECK(store.locate(q) == std::vector<std::string>{"b1"});
  q.visibleTo.reset();
  CHECK(store.locate(q) == std::vector<std::string>{"b1", "a1"});  // newest first
  CHECK(store.get("b1")->tags == std::vector<std::string>{"t", "u"});
}
