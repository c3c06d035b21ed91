#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::LocateQuery;
using kms::store::SqliteStore;
using kms::store::StoredObject;
using namespace kms::store::test;

TEST_CASE("a write lock held past the busy timeout is Unavailable; reads go on") {
  TempDir tmp;
  kms::store::SqliteOptions options;
  options.busyTimeout = std::chrono::milliseconds(100);
  SqliteStore store(tmp.path(), options);
  store.insert({makeObject("before")});
  RawDb other(store.databaseFile());  // another process, as far as SQLite can tell
  other.exec("BEGIN IMMEDIATE");
  const auto start = std::chrono::steady_clock::now();
  try {
    store.insert({makeObject("blocked")});
    FAIL("expected Unavailable");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
  }
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(90));
  CHECK(store.get("before"));  // WAL: readers are not blocked by the writer
  store.ping();
  other.exec("ROLLBACK");
  store.insert({makeObject("after")});
  CHECK_FALSE(store.get("blocked"));
  CHECK(store.get("after"));
}

TEST_CASE("measure: single-thread inserts of 1 KB objects (synchronous=FULL)") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  constexpr int kInserts = 200;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kInserts; ++i) {
    StoredObject o = makeObject("perf-" + std::to_string(i));
    o.object = bytes(1024, static_cast<std::uint8_t>(i));
    o.names = {"perf-name-" + std::to_string(i)};
    o.tags = {"perf"};
    store.insert({o});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("single-thread insert of 1 KB objects, one per transaction: "
          << static_cast<int>(kInserts / seconds) << " inserts/s (" << tmp.path().string() << ")");
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kInserts; ++i) (void)store.get("perf-" + std::to_string(i));
  const double readSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("single-thread get: " << static_cast<int>(kInserts / readSeconds) << " gets/s");
}
