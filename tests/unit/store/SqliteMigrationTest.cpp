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
