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
