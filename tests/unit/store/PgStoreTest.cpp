// PostgresStore behaviour beyond the shared contract (StoreContractTest.cpp): several nodes on
// one database, the pool, change notifications, secrets, and the insert rate for the notes.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "PgTestSupport.hpp"
#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/postgres/LocateSql.hpp"
#include "kms/store/postgres/Migrations.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::LocateQuery;
using kms::store::PostgresOptions;
using kms::store::PostgresStore;
using kms::store::StoredObject;
using kms::store::postgres::ConnectionString;
using namespace kms::store::test;
using namespace std::chrono_literals;

namespace {

// Collects the uids a subscriber is told about, and waits for one.
class Inbox {
 public:
  void push(const std::string& uid) {
    {
      std::lock_guard lock(mutex_);
      uids_.push_back(uid);
    }
    arrived_.notify_all();
  }
  // True when `uid` arrives within `timeout` (consumes everything up to it).
  bool waitFor(const std::string& uid, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] {
      while (!uids_.empty()) {
        const bool match = uids_.front() == uid;
        uids_.pop_front();
        if (match) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::string> uids_;
};

double insertsPerSecond(PostgresStore& store, int threads, std::chrono::milliseconds duration,
                        const std::string& prefix) {
  std::atomic<int> done{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        for (int i = 0; std::chrono::steady_clock::now() - start < duration; ++i) {
          StoredObject o = makeObject(prefix + std::to_string(t) + "-" + std::to_string(i));
          o.object = bytes(1024, static_cast<std::uint8_t>(i));
          o.names = {"perf-" + std::to_string(i)};
          o.tags = {"perf"};
          store.insert({o});
          ++done;
        }
      } catch (const std::exception&) {
        failed = true;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  CHECK_FALSE(failed);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return done / seconds;
}

}  // namespace

TEST_CASE("4 nodes opening a new database together apply each migration once") {
  PgSchema schema;
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PostgresStore>> nodes(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      try {
        nodes[i] = std::make_unique<PostgresStore>(schema.options(2));
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& e : errors) CHECK_MESSAGE(e.empty(), e);
  const int latest = kms::store::latestVersion(kms::store::postgres::migrations());
  PgRaw raw(schema.url());
  CHECK(raw.scalar("SELECT COUNT(*) FROM schema_version") == latest);
  CHECK(raw.scalar("SELECT COUNT(DISTINCT version) FROM schema_version") == latest);
  for (auto& node : nodes) {
    REQUIRE(node);
    CHECK(node->schemaVersion() == latest);
  }
  // Every node sees what another wrote: they share one database.
  nodes[0]->insert({makeObject("shared")});
  nodes[0]->grant("shared", "bob", {"get"});
  for (auto& node : nodes) {
    CHECK(node->get("shared"));
    CHECK(node->operationsFor("shared", "bob") == std::set<std::string>{"get"});
  }
}

TEST_CASE("the pool serves 8 threads with 4 sessions and opens no more") {
  PgSchema schema;
  PostgresStore store(schema.options(4));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string uid = "p" + std::to_string(t) + "-" + std::to_string(i);
          store.insert({makeObject(uid, "owner-" + std::to_string(t))});
          if (!store.get(uid)) ++failures;
          LocateQuery q;
          q.visibleTo = "owner-" + std::to_string(t);
          if (store.locate(q).size() != static_cast<std::size_t>(i + 1)) ++failures;
        }
      } catch (const std::exception& e) {
        MESSAGE(e.what());
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(store.idleBackendPids().size() <= 4);
  PgRaw raw(schema.url());
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == kThreads * kPerThread);
}

// Issue 22, finding 5: a user's Locate by name or tag must take the same time whether or not
// other users' objects carry the value. The plan PostgreSQL runs (custom, as for the first
// executions of a prepared statement, and generic) is the same for a value on 2000 of bob's
// objects and for one nobody has, and so are the rows and the pages each step reads.
TEST_CASE("a user's locate by name or tag reads the same rows and pages whatever others' objects carry") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  std::vector<StoredObject> batch;
  const auto flush = [&] {
    store.insert(batch);
    batch.clear();
  };
  for (int i = 0; i < 2000; ++i) {
    StoredObject o = makeObject("b" + std::to_string(i), "bob");
    o.names = {"secret"};
    o.tags = {"secret", "common"};
    batch.push_back(std::move(o));
    if (batch.size() == 500) flush();
  }
  for (int i = 0; i < 300; ++i) {
    StoredObject o = makeObject("a" + std::to_string(i), "alice");
    o.names = {"mine-" + std::to_string(i)};
    o.tags = {"mine-" + std::to_string(i % 7), "common"};
    batch.push_back(std::move(o));
  }
  for (int i = 0; i < 40; ++i) {
    StoredObject o = makeObject("g" + std::to_string(i), "bob");
    o.tags = {"plain"};
    batch.push_back(std::move(o));
  }
  flush();
  for (int i = 0; i < 40; ++i) store.grant("g" + std::to_string(i), i % 2 == 0 ? "alice" : "*", {"get"});
  PgRaw raw(schema.url());
  // Others' grants: carol may get every object of bob's.
  raw.exec("INSERT INTO access (uid, user_id, operation) SELECT uid, 'carol', 'get' FROM objects WHERE owner = 'bob'");
  // Statistics that know the secret value is common, and a visibility map for index-only scans.
  raw.exec("VACUUM ANALYZE objects, object_names, object_tags, access");

  // EXPLAIN ANALYZE of the statement the store runs, with `value` in place of the secret.
  const auto explain = [&](LocateQuery query, const std::string& value, bool generic) {
    if (query.name) query.name = value;
    if (!query.tags.empty()) query.tags.front() = value;
    const auto sql = kms::store::postgres::LocateSql::build(query);
    pqxx::nontransaction tx(raw.connection());
    tx.exec(std::string("SET plan_cache_mode = ") + (generic ? "force_generic_plan" : "auto"));
    tx.exec("PREPARE probe AS " + sql.sql);
    std::string arguments;
    for (const auto& parameter : sql.parameters) arguments += (arguments.empty() ? "" : ", ") + tx.quote(parameter);
    std::string plan;
    for (const auto& row :
         tx.exec("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE probe(" + arguments + ")")) {
      const std::string line = row[0].as<std::string>();
      if (line.starts_with("Planning")) break;  // the planner's own reads (catalog caches) are not the query's
      plan += line + "\n";
    }
    tx.exec("DEALLOCATE probe");
    return plan;
  };
  LocateQuery byTag;
  byTag.visibleTo = "alice";
  byTag.tags = {"secret"};
  LocateQuery byName;
  byName.visibleTo = "alice";
  byName.name = "secret";
  LocateQuery byTags = byTag;
  byTags.tags = {"secret", "common"};
  byTags.objectType = 2;
  byTags.limit = 10;
  LocateQuery byNameAndTag = byName;
  byNameAndTag.tags = {"common"};
  for (const auto* query : {&byTag, &byName, &byTags, &byNameAndTag}) {
    for (const bool generic : {false, true}) {
      CAPTURE(generic);
      // Once each first: the first run of a shape reads a few pages more (index metapages, the
      // relation caches), whatever the value.
      explain(*query, "nobody-has-it", generic);
      explain(*query, "secret", generic);
      const std::string secret = explain(*query, "secret", generic);
      const std::string nobody = explain(*query, "nobody-has-it", generic);
      MESSAGE(secret);
      CHECK(secret == nobody);
      CHECK(secret.find("Seq Scan") == std::string::npos);
      CHECK(secret.find(query->name ? "object_names_by_name" : "object_tags_by_tag") != std::string::npos);
      CHECK(secret.find("owner = $") != std::string::npos);
    }
  }
  // And the results: what alice owns or was granted.
  byTag.tags = {"plain"};
  CHECK(store.locate(byTag).size() == 40);
  byTag.tags = {"mine-3", "common"};
  CHECK(store.locate(byTag).size() == 43);
  byTag.visibleTo = "dave";
  byTag.tags = {"plain"};
  CHECK(store.locate(byTag).size() == 20);
  byTag.visibleTo = "carol";
  byTag.tags = {"secret"};
  CHECK(store.locate(byTag).size() == 2000);
  CHECK(store.locate(byName).empty());
}

TEST_CASE("a change on one node reaches another node's subscriber within 1 s, also after its listener is lost") {
  PgSchema schema;
  // Declared before the stores: B's listener thread calls into them until B is destroyed.
  Inbox inbox;
  std::mutex versionsMutex;
  std::map<std::string, std::int64_t> versions;  // the last version notified per uid
  PostgresStore a(schema.options(2));
  PostgresStore b(schema.options(2));
  b.subscribe([&](const std::string& uid, std::int64_t version) {
    {
      const std::lock_guard lock(versionsMutex);
      versions[uid] = version;
    }
    inbox.push(uid);
  });
  REQUIRE(b.listenerBackendPid());
  CHECK_FALSE(a.listenerBackendPid());

  a.insert({makeObject("k1"), makeObject("k2")});
  auto k1 = *a.get("k1");
  k1.state = 3;
  a.update(k1);
  CHECK(inbox.waitFor("k1", 1s));
  {
    // The version after the change travels with it: a node keeps what it holds of it.
    const std::lock_guard lock(versionsMutex);
    CHECK(versions["k1"] == 2);
  }
  CHECK(a.remove("k2"));
  CHECK(inbox.waitFor("k2", 1s));
  {
    const std::lock_guard lock(versionsMutex);
    CHECK(versions["k2"] == 0);  // removed
  }

  // A change that does not commit notifies nobody: a stale update, then a real one.
  auto stale = k1;
  CHECK_THROWS_AS(a.update(stale), Exception);

  // The listener's session dies (failover, restart, an operator): it comes back and says "*",
  // since whatever was notified meanwhile is lost.
  const int listener = *b.listenerBackendPid();
  PgRaw(schema.url()).terminate(listener);
  CHECK(inbox.waitFor("*", 3s));
  CHECK(*b.listenerBackendPid() != listener);
  auto again = *a.get("k1");
  again.state = 4;
  a.update(again);
  CHECK(inbox.waitFor("k1", 1s));

  // Node B's own changes reach its own subscriber too (its cache is one of the caches).
  auto own = *b.get("k1");
  own.state = 5;
  b.update(own);
  CHECK(inbox.waitFor("k1", 1s));
}

TEST_CASE("the password may come from KMS_DATABASE_PASSWORD instead of the URL") {
  PgSchema schema;
  ConnectionString url(schema.url());
  const std::string password = *url.get("password");
  url.set("password", "");
  PostgresOptions options = schema.options(1);
  options.url = url.str();
  ::setenv("KMS_DATABASE_PASSWORD", password.c_str(), 1);
  {
    PostgresStore store(options);
    store.ping();
    CHECK(store.description().find(password) == std::string::npos);
  }
  ::unsetenv("KMS_DATABASE_PASSWORD");
}

TEST_CASE("a wrong password is Unavailable, and no message holds the password") {
  PgSchema schema;
  ConnectionString url(schema.url());
  url.set("password", "Wrong-Secret-1234");
  PostgresOptions options = schema.options(1);
  options.url = url.str();
  std::vector<std::string> warnings;
  try {
    PostgresStore store(options, [&](const std::string& w) { warnings.push_back(w); });
    FAIL("expected Unavailable");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
    const std::string message = e.what();
    CHECK(message.find("Wrong-Secret-1234") == std::string::npos);
    CHECK(message.find("password=***") != std::string::npos);
    CHECK(message.find("password authentication failed") != std::string::npos);
  }
  for (const auto& w : warnings) CHECK(w.find("Wrong-Secret-1234") == std::string::npos);
}

TEST_CASE("commits are durable: synchronous_commit is on for the store's sessions") {
  PgSchema schema;
  PostgresStore store(schema.options(1));
  PgRaw raw(schema.url());
  CHECK(raw.text("SHOW synchronous_commit") == "on");
  CHECK(raw.text("SHOW fsync") == "on");
}

TEST_CASE("measure: committed 1 KB inserts per second at 1 and 8 threads") {
  PgSchema schema;
  PostgresStore store(schema.options(8));
  const double one = insertsPerSecond(store, 1, 1500ms, "one-");
  const double eight = insertsPerSecond(store, 8, 1500ms, "eight-");
  MESSAGE("PostgreSQL committed 1 KB inserts (1 name, 1 tag, one transaction each): "
          << static_cast<int>(one) << "/s at 1 thread, " << static_cast<int>(eight) << "/s at 8 threads");
  const auto t0 = std::chrono::steady_clock::now();
  int reads = 0;
  while (std::chrono::steady_clock::now() - t0 < 500ms) {
    (void)store.get("one-0-" + std::to_string(reads % 100));
    ++reads;
  }
  MESSAGE("PostgreSQL get by uid, 1 thread: "
          << static_cast<int>(reads / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
          << "/s");
}
