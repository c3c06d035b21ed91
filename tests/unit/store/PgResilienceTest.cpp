// PostgresStore under failure: sessions killed (pg_terminate_backend, as a failover, a restart
// or an operator would), commits whose answer is lost, locks held past the statement timeout,
// and a server that never answers.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <pqxx/except>
#include <pqxx/transaction>

#include "PgTestSupport.hpp"
#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::ApiTokenRecord;
using kms::store::PostgresOptions;
using kms::store::PostgresStore;
using kms::store::StoredObject;
using namespace kms::store::test;
using namespace std::chrono_literals;

namespace {

// Ends a backend and waits until it is gone, so that the next use of its session fails for sure.
void kill(PgRaw& raw, int pid) {
  raw.terminate(pid);
  for (int i = 0; i < 200; ++i) {
    if (raw.scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid)) == 0) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("backend " << pid << " did not end");
}

// A fault hook that acts once, at `point`: kills the session's backend and, after the commit,
// also reports the commit's answer as lost (the commit itself went through).
PostgresStore::FaultHook killOnce(PgRaw& raw, std::string point, bool& fired) {
  return [&raw, point = std::move(point), &fired](const char* where, int pid) {
    if (fired || point != where) return;
    fired = true;
    kill(raw, pid);
    if (std::string(where) == "after-commit") throw pqxx::in_doubt_error("simulated: the answer to COMMIT was lost");
  };
}

}  // namespace

TEST_CASE("pooled sessions killed while idle: the next calls succeed") {
  PgSchema schema;
  PostgresStore store(schema.options(4));
  store.insert({makeObject("before")});
  PgRaw raw(schema.url());
  const auto pids = store.idleBackendPids();
  REQUIRE_FALSE(pids.empty());
  for (const int pid : pids) kill(raw, pid);
  CHECK(store.get("before"));  // a read: rerun on a new session
  for (const int pid : store.idleBackendPids()) kill(raw, pid);
  store.insert({makeObject("after")});  // a write on a dead session: reconnect, check, rerun
  CHECK(store.get("after"));
  for (const int pid : store.idleBackendPids()) kill(raw, pid);
  store.grant("after", "bob", {"get"});
  CHECK(store.operationsFor("after", "bob") == std::set<std::string>{"get"});
  store.ping();
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == 2);
}

TEST_CASE("a create whose session dies before COMMIT is applied once") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  PgRaw raw(schema.url());
  bool fired = false;
  store.setFaultHook(killOnce(raw, "before-commit", fired));
  auto o = makeObject("c1");
  o.names = {"n"};
  o.tags = {"t"};
  store.insert({o, makeObject("c2")});
  CHECK(fired);
  CHECK(store.reconnects() >= 1);
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == 2);
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_names") == 1);
  CHECK(store.get("c1")->version == 1);
}

TEST_CASE("a create whose COMMIT answer is lost is not duplicated and not reported as AlreadyExists") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  PgRaw raw(schema.url());
  bool fired = false;
  store.setFaultHook(killOnce(raw, "after-commit", fired));
  auto o = makeObject("d1");
  o.tags = {"t1", "t2"};
  store.insert({o});  // must not throw AlreadyExists: the object is ours
  CHECK(fired);
  CHECK(store.reconnects() >= 1);
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == 1);
  CHECK(raw.scalar("SELECT COUNT(*) FROM object_tags") == 2);
  CHECK(store.get("d1")->version == 1);
  // A genuine duplicate is still refused.
  store.setFaultHook({});
  CHECK_THROWS_AS(store.insert({makeObject("d1", "mallory")}), Exception);
}

TEST_CASE("an update whose COMMIT answer is lost is applied once") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  store.insert({makeObject("u")});
  PgRaw raw(schema.url());
  bool fired = false;
  store.setFaultHook(killOnce(raw, "after-commit", fired));
  auto o = *store.get("u");
  o.state = 3;
  o.names = {"renamed"};
  store.update(o);  // no "concurrent update": the new version is ours
  CHECK(fired);
  const auto after = *store.get("u");
  CHECK(after.version == 2);
  CHECK(after.state == 3);
  CHECK(after.names == std::vector<std::string>{"renamed"});
}

TEST_CASE("an update whose session dies before COMMIT is applied once") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  store.insert({makeObject("u")});
  PgRaw raw(schema.url());
  bool fired = false;
  store.setFaultHook(killOnce(raw, "before-commit", fired));
  auto o = *store.get("u");
  o.state = 4;
  store.update(o);
  CHECK(fired);
  CHECK(store.get("u")->version == 2);
  CHECK(store.get("u")->state == 4);
}

TEST_CASE("a remove or token change whose COMMIT answer is lost reports what happened") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  store.insert({makeObject("r")});
  PgRaw raw(schema.url());
  bool fired = false;
  store.setFaultHook(killOnce(raw, "after-commit", fired));
  CHECK(store.remove("r"));
  CHECK(fired);
  CHECK_FALSE(store.get("r"));

  fired = false;
  store.insertToken(ApiTokenRecord{"tok", "alice", bytes(32, 4), 0, std::nullopt});
  CHECK(fired);
  CHECK(raw.scalar("SELECT COUNT(*) FROM api_tokens") == 1);

  fired = false;
  CHECK(store.revokeToken("tok"));
  CHECK(fired);
  CHECK(store.findToken("tok")->revokedMicros);
}

TEST_CASE("a session lost twice in one call is Unavailable, and nothing is half-written") {
  PgSchema schema;
  PostgresStore store(schema.options(2));
  PgRaw raw(schema.url());
  store.setFaultHook([&](const char* where, int pid) {
    if (std::string(where) == "before-commit") kill(raw, pid);
  });
  try {
    store.insert({makeObject("never")});
    FAIL("expected Unavailable");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
  }
  store.setFaultHook({});
  CHECK_FALSE(store.get("never"));
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects") == 0);
}

TEST_CASE("a call blocked by a lock fails at the statement timeout instead of hanging") {
  PgSchema schema;
  PostgresStore store(schema.options(2, 300ms));
  store.insert({makeObject("x")});
  PgRaw raw(schema.url());
  {
    pqxx::work locker(raw.connection());
    locker.exec("LOCK TABLE objects IN ACCESS EXCLUSIVE MODE");
    for (const char* call : {"get", "update"}) {
      CAPTURE(call);
      const auto start = std::chrono::steady_clock::now();
      try {
        if (std::string(call) == "get") {
          (void)store.get("x");
        } else {
          auto o = makeObject("x");
          o.version = 1;
          store.update(o);
        }
        FAIL("expected Unavailable");
      } catch (const Exception& e) {
        CHECK(e.code() == ErrorCode::Unavailable);
        CHECK(std::string(e.what()).find("statement timeout") != std::string::npos);
      }
      const auto elapsed = std::chrono::steady_clock::now() - start;
      CHECK(elapsed >= 250ms);
      CHECK(elapsed < 3s);
    }
    locker.abort();
  }
  CHECK(store.get("x"));
}

TEST_CASE("a server that accepts but never answers fails at the connect timeout") {
  // A listening socket nobody accepts from: the kernel completes the TCP handshake, then
  // libpq waits for an answer to its startup packet that never comes.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(listener, 16) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);

  PostgresOptions options;
  options.url = "postgresql://kms:Hidden-Pw-777@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/kms";
  options.connectTimeout = 2s;
  const auto start = std::chrono::steady_clock::now();
  try {
    PostgresStore store(options);
    FAIL("expected Unavailable");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
    CHECK(std::string(e.what()).find("Hidden-Pw-777") == std::string::npos);
    MESSAGE(std::string(e.what()));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 1500ms);
  CHECK(elapsed < 5s);
  ::close(listener);
}
