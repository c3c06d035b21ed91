#pragma once
// ObjectStore and TokenStore on PostgreSQL (libpqxx): the production store, shared by several
// kmsd nodes behind a load balancer (docs/deployment.md).
//
// It behaves as SqliteStore does for every operation (same ordering, same exceptions, same
// choices where ObjectStore leaves room: see SqliteStore.hpp), with these additions:
// - Migrations are the same versions as SQLite's, applied once under an advisory lock even when
//   several nodes start together.
// - A pool of up to `poolSize` sessions, opened on demand; statements are prepared per session.
// - Every statement runs under `statementTimeout` (server side, lock waits included) and every
//   connection attempt under `connectTimeout`; past them a call fails with
//   kms::Exception(Unavailable) instead of hanging. A server that stops answering altogether
//   (paused, frozen, partitioned with its connections left open) cannot enforce its timeout:
//   kmsd then closes the session itself once a round trip has waited `statementTimeout` + 1 s
//   (postgres::Watchdog), and the call fails with Unavailable without a retry, so that it
//   stays bounded. A change whose COMMIT got no answer is reported as possibly applied.
// - Transient failures are retried: a serialization failure or deadlock reruns the transaction
//   (a few times); a lost connection is replaced and the call rerun once. A change that is not
//   idempotent (insert, update, token insert) first checks, on the new connection, whether the
//   lost attempt committed (same uid and content at the expected version): then it reports
//   success instead of AlreadyExists or a stale version, and never writes twice.
// - update() and remove() send NOTIFY kms_object_changed, '<version>:<uid>' in their transaction, so
//   other nodes learn of the change at commit (subscribe()).
// - Durability: a successful call has committed with the server's synchronous_commit, which
//   kmsd leaves at its default (on).
// - Timestamps come from this node's clock, strictly increasing within the store as in SQLite;
//   across nodes, "newest first" follows the nodes' clocks (keep them NTP-synchronised).
// - The password never appears in a message: URLs are shown redacted (user:***@).
// - Once the store is open, the messages of its exceptions (which reach clients, in 503 answers)
//   are generic ("database unavailable: connection lost"); the details (server, user, libpq's
//   message) go to the Warning callback, that is to kmsd's log. While opening, they are in the
//   exception: that one is for the operator starting kmsd.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kms/store/ObjectStore.hpp"
#include "kms/store/TokenStore.hpp"

namespace pqxx {
class transaction_base;  // NOLINT(readability-identifier-naming): libpqxx's name
}

namespace kms::store {

namespace postgres {
class ChangeListener;
class Connection;
class ConnectionPool;
class ConnectionString;
class Watchdog;
}  // namespace postgres

struct PostgresOptions {
  // A libpq URL (postgresql://user:pass@host:port/db?...) or keyword/value string. Multi-host
  // URLs with target_session_attrs=read-write follow a failover to the new primary.
  std::string url;
  int poolSize = 8;  // sessions at most; callers beyond wait up to statementTimeout
  // libpq counts whole seconds, at least 2: rounded up.
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds statementTimeout{5000};
};

class PostgresStore final : public ObjectStore, public TokenStore {
 public:
  // Called with a uid changed on any node (this one included), or with "*" when notifications
  // may have been missed (the listening session was lost and is back): invalidate everything.
  // `version`: the object's version after the change, 0 when it was removed (and with "*").
  using ChangeCallback = std::function<void(const std::string& uid, std::int64_t version)>;
  // Fault injection for tests: called at "before-commit" and "after-commit" of every write
  // with the session's backend pid; it may break the session and throw to simulate a loss.
  using FaultHook = std::function<void(const char* point, int backendPid)>;
  // Where the store reports what it recovered from (lost sessions); messages hold no secret.
  using Warning = std::function<void(const std::string& message)>;

  // Connects (KMS_DATABASE_PASSWORD / KMS_DATABASE_PASSWORD_FILE override the URL's password),
  // then brings the schema up to date. Throws kms::Exception: InvalidField for a malformed URL
  // or unreadable password file, Unavailable when the server cannot be reached in time,
  // InternalError when the schema is newer than this code or a migration fails.
  explicit PostgresStore(const PostgresOptions& options, Warning warning = {});
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  void insert(const std::vector<StoredObject>& objects) override;
  [[nodiscard]] std::optional<StoredObject> get(const std::string& uid) override;
  void update(const StoredObject& object) override;
  bool remove(const std::string& uid) override;
  [[nodiscard]] std::vector<std::string> locate(const LocateQuery& query) override;

  void grant(const std::string& uid, const std::string& user, const std::set<std::string>& operations) override;
  void revoke(const std::string& uid, const std::string& user, const std::set<std::string>& operations) override;
  [[nodiscard]] std::set<std::string> operationsFor(const std::string& uid, const std::string& user) override;
  [[nodiscard]] std::optional<ObjectAccess> accessOf(const std::string& uid, const std::string& user) override;
  [[nodiscard]] std::set<std::string> hsmKeysGrantedTo(const std::string& user) override;
  [[nodiscard]] std::vector<AccessEntry> listAccess(const std::string& uid) override;
  [[nodiscard]] std::vector<std::string> ownedBy(const std::string& user) override;
  [[nodiscard]] std::vector<std::pair<std::string, std::set<std::string>>> obtainedBy(const std::string& user) override;

  void insertToken(const ApiTokenRecord& token) override;
  [[nodiscard]] std::optional<ApiTokenRecord> findToken(const std::string& id) override;
  bool revokeToken(const std::string& id) override;
  [[nodiscard]] std::vector<ApiTokenRecord> listTokens() override;

  void ping() override;
  [[nodiscard]] int schemaVersion() override;

  // Starts (on first call) a dedicated listening session and thread, and adds `callback`.
  // Returns once listening: every change committed afterwards is reported. Throws
  // kms::Exception(Unavailable) when the listening session cannot connect.
  void subscribe(ChangeCallback callback);

  // The redacted URL, for logs: "postgresql store at host=... user=... password=***".
  [[nodiscard]] const std::string& description() const noexcept { return description_; }
  // Diagnostics and tests.
  [[nodiscard]] std::optional<int> listenerBackendPid() const;
  [[nodiscard]] std::vector<int> idleBackendPids() const;
  [[nodiscard]] std::uint64_t reconnects() const noexcept { return reconnects_.load(); }
  void setFaultHook(FaultHook hook);

 private:
  enum class Mode { Read, Write };
  // Runs `body` in a transaction (Write) or a single-statement session (Read) with the retry
  // rules above. After a lost connection, `afterLoss` (when given) runs first on the new
  // connection with whether the commit itself was in doubt; a value means "the lost attempt
  // committed, this is its result", nullopt means "run the body again".
  template <typename R>
  R run(Mode mode, const std::function<R(pqxx::transaction_base&, postgres::Connection&)>& body,
        const std::function<std::optional<R>(pqxx::transaction_base&, postgres::Connection&, bool inDoubt)>& afterLoss =
            {});
  template <typename R>
  R attempt(Mode mode, postgres::Connection& connection,
            const std::function<R(pqxx::transaction_base&, postgres::Connection&)>& body, bool& committing);

  std::unique_ptr<postgres::Connection> open();
  // Fails a call whose session the watchdog closed: kms::Exception(Unavailable).
  [[noreturn]] void throwTimedOut(const postgres::Connection& connection, bool changeInDoubt);
  std::int64_t nextMicros();
  void warn(const std::string& message) const;

  std::unique_ptr<postgres::ConnectionString> connection_;
  std::string description_;
  PostgresOptions options_;
  Warning warning_;
  std::mutex clockMutex_;
  std::int64_t lastMicros_ = 0;  // guarded by clockMutex_
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<bool> opened_{false};  // the constructor has returned: messages reach clients
  mutable std::mutex hookMutex_;
  FaultHook faultHook_;  // guarded by hookMutex_
  // Before pool_ and listener_: it watches their sessions, so it outlives them.
  std::unique_ptr<postgres::Watchdog> watchdog_;
  std::unique_ptr<postgres::ConnectionPool> pool_;
  mutable std::mutex listenerMutex_;
  std::unique_ptr<postgres::ChangeListener> listener_;  // guarded by listenerMutex_
};

}  // namespace kms::store
