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

TEST_CASE("8 threads insert and read at the same time without errors") {
  TempDir tmp;
  SqliteStore store(tmp.path());  // 4 read connections: 8 threads also exercise waiting for one
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
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
          (void)store.get("owner-" + std::to_string((t + 1) % kThreads) + "-0");  // another thread's
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

TEST_CASE("concurrent updates of one object: each version is won exactly once") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  store.insert({makeObject("hot")});
  constexpr int kThreads = 4;
  constexpr int kUpdatesEach = 25;
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
  MESSAGE("optimistic conflicts retried: " << conflicts.load());
}

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
