#include "kms/store/postgres/PostgresStore.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <thread>

#include <fmt/format.h>
#include <pqxx/binarystring>
#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "kms/Exception.hpp"
#include "kms/store/postgres/ChangeListener.hpp"
#include "kms/store/postgres/Connection.hpp"
#include "kms/store/postgres/ConnectionPool.hpp"
#include "kms/store/postgres/ConnectionString.hpp"
#include "kms/store/postgres/LocateSql.hpp"
#include "kms/store/postgres/Migrations.hpp"

namespace kms::store {

using postgres::Connection;

namespace {

// Reruns of a transaction that lost a serialization conflict or a deadlock.
constexpr int kConflictAttempts = 5;
// How much longer than the statement timeout a round trip may wait before kmsd closes the
// session itself: the server's own timeout, which answers with a proper error and keeps the
// session, normally fires first; this only catches a server that does not run at all.
constexpr std::chrono::milliseconds kAnswerMargin{1000};

// The statements, as std::string: Connection::statement keys its prepared statements by text.
// NOLINTBEGIN(cert-err58-cpp): only bad_alloc can escape, at start, where it ends kmsd anyway
const std::string kInsertObject =
    "INSERT INTO objects (uid, owner, object_type, state, algorithm, length, object, attributes, created_us,"
    " updated_us, version, wrapping_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1, $10)";
// One statement per list: the names (tags) travel as one array parameter, in order; a repeated
// value is one row, positioned at its first occurrence. The owner is the object's (a copy, for
// the (value, owner) indexes a user's Locate reads): every write of the object rewrites these
// rows, so an owner change reaches them.
const std::string kInsertNames =
    "INSERT INTO object_names (uid, name, position, owner)"
    " SELECT $1, v, o - 1, $3 FROM unnest($2::text[]) WITH ORDINALITY AS t(v, o) ON CONFLICT DO NOTHING";
const std::string kInsertTags =
    "INSERT INTO object_tags (uid, tag, position, owner)"
    " SELECT $1, v, o - 1, $3 FROM unnest($2::text[]) WITH ORDINALITY AS t(v, o) ON CONFLICT DO NOTHING";
// One statement, hence one snapshot: names and tags belong to the same version of the row.
const std::string kGetObject =
    "SELECT owner, object_type, state, algorithm, length, object, attributes, created_us, updated_us, version,"
    " ARRAY(SELECT name FROM object_names WHERE uid = $1 ORDER BY position),"
    " ARRAY(SELECT tag FROM object_tags WHERE uid = $1 ORDER BY position), wrapping_key"
    " FROM objects WHERE uid = $1";
// The version check and the write are one statement: a concurrent writer waits for the row
// lock, then sees the new version and changes nothing.
const std::string kUpdateObject =
    "UPDATE objects SET owner = $2, object_type = $3, state = $4, algorithm = $5, length = $6, object = $7,"
    " attributes = $8, updated_us = $9, version = version + 1, wrapping_key = $11 WHERE uid = $1 AND version = $10";
const std::string kExists = "SELECT 1 FROM objects WHERE uid = $1";
const std::string kDeleteNames = "DELETE FROM object_names WHERE uid = $1";
const std::string kDeleteTags = "DELETE FROM object_tags WHERE uid = $1";
// Names, tags and access rows go with it: ON DELETE CASCADE.
const std::string kDeleteObject = "DELETE FROM objects WHERE uid = $1";
// Delivered to listeners at commit, and not at all on rollback.
const std::string kNotify = std::string("SELECT pg_notify('") + postgres::ChangeListener::kChannel + "', $1)";
const std::string kGrant =
    "INSERT INTO access (uid, user_id, operation) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING";
const std::string kRevoke = "DELETE FROM access WHERE uid = $1 AND user_id = $2 AND operation = ANY($3::text[])";
const std::string kOperationsFor = "SELECT DISTINCT operation FROM access WHERE uid = $1 AND user_id IN ($2, '*')";
// Both probes always run (see SqliteStore::accessOf).
const std::string kAccessOf =
    "SELECT 0, owner FROM objects WHERE uid = $1"
    " UNION ALL SELECT 1, operation FROM access WHERE uid = $1 AND user_id IN ($2, '*')";
const std::string kHsmKeysGrantedTo = "SELECT DISTINCT uid FROM hsm_access WHERE user_id IN ($1, '*')";
const std::string kListAccess = "SELECT user_id, operation FROM access WHERE uid = $1 ORDER BY user_id, operation";
// The same for keys inside an HSM, whose grants live in hsm_access (no object row to refer to).
const std::string kHsmGrant =
    "INSERT INTO hsm_access (uid, user_id, operation) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING";
const std::string kHsmRevoke = "DELETE FROM hsm_access WHERE uid = $1 AND user_id = $2 AND operation = ANY($3::text[])";
const std::string kHsmOperationsFor =
    "SELECT DISTINCT operation FROM hsm_access WHERE uid = $1 AND user_id IN ($2, '*')";
const std::string kHsmListAccess =
    "SELECT user_id, operation FROM hsm_access WHERE uid = $1 ORDER BY user_id, operation";
const std::string kOwnedBy = "SELECT uid FROM objects WHERE owner = $1 ORDER BY created_us DESC, uid";
const std::string kObtainedBy =
    "SELECT a.uid, a.operation FROM access a JOIN objects o ON o.uid = a.uid"
    " WHERE a.user_id = $1 AND o.owner <> $1 ORDER BY o.created_us DESC, a.uid, a.operation";
const std::string kInsertToken =
    "INSERT INTO api_tokens (id, user_id, hash, created_us, revoked_us) VALUES ($1, $2, $3, $4, NULL)";
const std::string kFindToken = "SELECT id, user_id, hash, created_us, revoked_us FROM api_tokens WHERE id = $1";
const std::string kRevokeToken = "UPDATE api_tokens SET revoked_us = $2 WHERE id = $1 AND revoked_us IS NULL";
const std::string kListTokens =
    "SELECT id, user_id, hash, created_us, revoked_us FROM api_tokens ORDER BY created_us DESC, id";
const std::string kPing = "SELECT 1";
const std::string kSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
const std::string kLastMicros =
    "SELECT GREATEST((SELECT MAX(created_us) FROM objects), (SELECT MAX(updated_us) FROM objects),"
    " (SELECT MAX(created_us) FROM api_tokens), 0)";
// NOLINTEND(cert-err58-cpp)

// Keys inside an HSM (DESIGN section 4) keep their grants in hsm_access: they have no object row.
bool isHsmUid(const std::string& uid) {
  return uid.starts_with("hsm::");
}

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

pqxx::binarystring blob(std::span<const std::uint8_t> bytes) {
  static const std::uint8_t kNothing = 0;  // a valid pointer for an empty blob
  return pqxx::binarystring(bytes.empty() ? &kNothing : bytes.data(), bytes.size());
}

// An object the server did not wrap has NULL, not '': the partial index then holds only the
// wrapped objects, and "" can never be mistaken for a key's UID.
std::optional<std::string> wrappingKeyParam(const std::string& wrappingKey) {
  if (wrappingKey.empty()) return std::nullopt;
  return wrappingKey;
}

kms::SecureBytes bytesOf(const pqxx::field& field) {
  const pqxx::binarystring value(field);
  return kms::SecureBytes(value.data(), value.data() + value.size());
}

// A PostgreSQL array literal of text values: each element double-quoted, with \ and " escaped,
// so that any string (commas, braces, "NULL") is one element.
std::string textArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += '"';
    for (const char c : values[i]) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string textArray(const std::set<std::string>& values) {
  return textArray(std::vector<std::string>(values.begin(), values.end()));
}

std::vector<std::string> parseTextArray(const pqxx::field& field) {
  std::vector<std::string> out;
  auto parser = field.as_array();
  for (;;) {
    auto [juncture, value] = parser.get_next();
    if (juncture == pqxx::array_parser::done) break;
    if (juncture == pqxx::array_parser::string_value) out.push_back(std::move(value));
  }
  return out;
}

std::vector<std::string> strings(const pqxx::result& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(row[0].as<std::string>());
  return out;
}

StoredObject readObject(const std::string& uid, const pqxx::row& row) {
  StoredObject object;
  object.uid = uid;
  object.owner = row[0].as<std::string>();
  object.objectType = static_cast<std::uint32_t>(row[1].as<std::int64_t>());
  object.state = static_cast<std::uint32_t>(row[2].as<std::int64_t>());
  object.algorithm = static_cast<std::uint32_t>(row[3].as<std::int64_t>());
  object.length = row[4].as<std::int32_t>();
  object.object = bytesOf(row[5]);
  object.attributes = bytesOf(row[6]);
  object.createdMicros = row[7].as<std::int64_t>();
  object.updatedMicros = row[8].as<std::int64_t>();
  object.version = row[9].as<std::int64_t>();
  object.names = parseTextArray(row[10]);
  object.tags = parseTextArray(row[11]);
  if (!row[12].is_null()) object.wrappingKey = row[12].as<std::string>();
  return object;
}

std::optional<StoredObject> fetchObject(pqxx::transaction_base& tx, Connection& c, const std::string& uid) {
  const auto rows = tx.exec_prepared(c.statement(kGetObject), uid);
  if (rows.empty()) return std::nullopt;
  return readObject(uid, rows[0]);
}

// Whether a stored object holds what a caller wrote (ignoring what the store sets itself).
bool sameContent(const StoredObject& stored, const StoredObject& written) {
  auto unique = [](const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const auto& v : values) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
  };
  return stored.owner == written.owner && stored.objectType == written.objectType && stored.state == written.state &&
         stored.algorithm == written.algorithm && stored.length == written.length && stored.object == written.object &&
         stored.attributes == written.attributes && stored.names == unique(written.names) &&
         stored.tags == unique(written.tags) && stored.wrappingKey == written.wrappingKey;
}

ApiTokenRecord readToken(const pqxx::row& row) {
  ApiTokenRecord token;
  token.id = row[0].as<std::string>();
  token.user = row[1].as<std::string>();
  token.hash = bytesOf(row[2]);
  token.createdMicros = row[3].as<std::int64_t>();
  if (!row[4].is_null()) token.revokedMicros = row[4].as<std::int64_t>();
  return token;
}

void insertNamesAndTags(pqxx::transaction_base& tx, Connection& c, const StoredObject& object) {
  if (!object.names.empty()) {
    tx.exec_prepared(c.statement(kInsertNames), object.uid, textArray(object.names), object.owner);
  }
  if (!object.tags.empty()) {
    tx.exec_prepared(c.statement(kInsertTags), object.uid, textArray(object.tags), object.owner);
  }
}

// SQLSTATE classes: https://www.postgresql.org/docs/15/errcodes-appendix.html
bool isConnectionState(const std::string& state) {
  // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03";
}

bool isConflictState(const std::string& state) {
  return state == "40001" || state == "40P01";
}

}  // namespace

PostgresStore::PostgresStore(const PostgresOptions& options, Warning warning)
    : options_(options), warning_(std::move(warning)) {
  if (options.poolSize < 1) {
    throw Exception(ErrorCode::InvalidField, "the PostgreSQL pool size must be at least 1");
  }
  if (options.connectTimeout.count() <= 0 || options.statementTimeout.count() <= 0) {
    throw Exception(ErrorCode::InvalidField, "the PostgreSQL connect and statement timeouts must be positive");
  }
  connection_ = std::make_unique<postgres::ConnectionString>(options.url);
  connection_->mergePasswordFromEnvironment();
  // libpq counts whole seconds and treats 1 as 2.
  const auto seconds = std::max<std::int64_t>(2, (options.connectTimeout.count() + 999) / 1000);
  connection_->set("connect_timeout", std::to_string(seconds));
  connection_->setDefault("application_name", "kmsd");
  // A server that vanishes without closing the socket (host down, network cut) must not leave a
  // call waiting for an answer forever: keepalives notice an idle dead peer, tcp_user_timeout
  // one that stops acknowledging what we send. The URL may choose other values.
  const auto idle = std::max<std::int64_t>(1, options.statementTimeout.count() / 1000);
  connection_->setDefault("keepalives", "1");
  connection_->setDefault("keepalives_idle", std::to_string(idle));
  connection_->setDefault("keepalives_interval", "1");
  connection_->setDefault("keepalives_count", "3");
  connection_->setDefault("tcp_user_timeout",
                          std::to_string(options.statementTimeout.count() + options.connectTimeout.count()));
  description_ = connection_->redacted();

  watchdog_ = std::make_unique<postgres::Watchdog>(options.statementTimeout + kAnswerMargin);
  pool_ = std::make_unique<postgres::ConnectionPool>(static_cast<std::size_t>(options.poolSize),
                                                     options.statementTimeout, [this] { return open(); });
  auto lease = pool_->acquire();
  try {
    postgres::migrate(lease->raw());
    pqxx::nontransaction tx(lease->raw());
    lastMicros_ = tx.exec(kLastMicros)[0][0].as<std::int64_t>();
  } catch (const Exception&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw Exception(ErrorCode::Unavailable,
                    connection_->scrub(fmt::format("lost the PostgreSQL connection while migrating ({}): {}",
                                                   description_, e.what())));
  } catch (const std::exception& e) {
    throw Exception(ErrorCode::InternalError,
                    connection_->scrub(fmt::format("the PostgreSQL schema migration failed: {}", e.what())));
  }
  opened_ = true;
}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<Connection> PostgresStore::open() {
  try {
    return std::make_unique<Connection>(connection_->str(), options_.statementTimeout, *watchdog_);
  } catch (const std::exception& e) {
    const std::string detail =
        connection_->scrub(fmt::format("cannot connect to PostgreSQL ({}): {}", description_, e.what()));
    // Starting kmsd: the operator reads this message. Later it goes to a client, which has no
    // business with the server's address, user or settings: those go to the log.
    if (!opened_) throw Exception(ErrorCode::Unavailable, detail);
    warn(detail);
    throw Exception(ErrorCode::Unavailable, "database unavailable: cannot connect");
  }
}

void PostgresStore::throwTimedOut(const Connection& connection, bool changeInDoubt) {
  ++reconnects_;
  const auto limit = watchdog_->limit().count();
  warn(fmt::format("PostgreSQL (backend {}) did not answer within {} ms: closed the session{}", connection.backendPid(),
                   limit, changeInDoubt ? "; the outcome of its COMMIT is unknown" : ""));
  // No retry: the server that did not answer would most likely not answer the retry either, and
  // the call must stay bounded. A COMMIT without an answer may have been applied (it is when
  // the server ran it before it stopped): the client must know that it may have.
  throw Exception(ErrorCode::Unavailable, fmt::format("database unavailable: did not answer within {} ms{}", limit,
                                                      changeInDoubt ? "; the change may have been applied" : ""));
}

std::int64_t PostgresStore::nextMicros() {
  std::lock_guard lock(clockMutex_);
  lastMicros_ = std::max(nowMicros(), lastMicros_ + 1);
  return lastMicros_;
}

void PostgresStore::warn(const std::string& message) const {
  if (warning_) warning_(connection_->scrub(message));
}

void PostgresStore::setFaultHook(FaultHook hook) {
  std::lock_guard lock(hookMutex_);
  faultHook_ = std::move(hook);
}

template <typename R>
R PostgresStore::attempt(Mode mode, Connection& c, const std::function<R(pqxx::transaction_base&, Connection&)>& body,
                         bool& committing) {
  if (mode == Mode::Read) {
    // Reads are single statements: no BEGIN/COMMIT round trips, and one statement sees one
    // snapshot.
    pqxx::nontransaction tx(c.raw());
    return body(tx, c);
  }
  FaultHook hook;
  {
    std::lock_guard lock(hookMutex_);
    hook = faultHook_;
  }
  pqxx::work tx(c.raw());
  R result = body(tx, c);
  if (hook) hook("before-commit", c.backendPid());
  committing = true;
  c.watch().renew();  // COMMIT gets its own deadline, as every statement
  tx.commit();
  if (hook) hook("after-commit", c.backendPid());
  committing = false;
  return result;
}

template <typename R>
R PostgresStore::run(Mode mode, const std::function<R(pqxx::transaction_base&, Connection&)>& body,
                     const std::function<std::optional<R>(pqxx::transaction_base&, Connection&, bool)>& afterLoss) {
  int conflicts = 0;
  bool lost = false;
  bool inDoubt = false;
  for (;;) {
    auto lease = pool_->acquire();  // Unavailable when the pool is saturated or cannot connect
    bool committing = false;
    bool lostNow = false;
    try {
      try {
        // Every round trip (BEGIN, each statement, COMMIT, a ROLLBACK on the way out) must be
        // answered within the watchdog's limit. A session it closed is never pooled again
        // (Connection::isOpen), even when the answer came just in time.
        const postgres::Watchdog::Armed armed(lease->watch());
        if (lost && afterLoss) {
          bool checking = false;
          const std::function<std::optional<R>(pqxx::transaction_base&, Connection&)> check =
              [&](pqxx::transaction_base& tx, Connection& c) { return afterLoss(tx, c, inDoubt); };
          if (auto committed = attempt<std::optional<R>>(mode, *lease, check, checking)) return std::move(*committed);
        }
        return attempt<R>(mode, *lease, body, committing);
      } catch (const Exception&) {
        throw;
      } catch (...) {
        // libpq reports the closed socket as a lost connection (or a commit in doubt): that
        // must not be retried as one.
        if (lease->timedOut()) throwTimedOut(*lease, committing || inDoubt);
        throw;
      }
    } catch (const Exception&) {
      throw;
    } catch (const pqxx::in_doubt_error& e) {
      lostNow = true;
      committing = true;
      warn(fmt::format("the outcome of a PostgreSQL commit is unknown: {}", e.what()));
    } catch (const pqxx::statement_completion_unknown& e) {
      lostNow = true;
      committing = true;
      warn(fmt::format("the outcome of a PostgreSQL statement is unknown: {}", e.what()));
    } catch (const pqxx::transaction_rollback& e) {
      // Serialization failure or deadlock: the transaction was rolled back whole, and running
      // it again is the documented remedy.
      if (++conflicts >= kConflictAttempts) {
        warn(fmt::format("PostgreSQL transaction conflict persisted: {}", e.what()));
        throw Exception(ErrorCode::Unavailable, "database unavailable: transaction conflict persisted");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(conflicts * 5));
      continue;
    } catch (const pqxx::broken_connection& e) {
      lostNow = true;
      warn(fmt::format("lost a PostgreSQL connection: {}", e.what()));
    } catch (const pqxx::sql_error& e) {
      const std::string& state = e.sqlstate();
      if (isConflictState(state)) {
        if (++conflicts >= kConflictAttempts) {
          warn(fmt::format("PostgreSQL transaction conflict persisted: {}", e.what()));
          throw Exception(ErrorCode::Unavailable, "database unavailable: transaction conflict persisted");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(conflicts * 5));
        continue;
      }
      if (state == "57014") {
        throw Exception(ErrorCode::Unavailable,
                        fmt::format("database unavailable: a statement did not complete within the statement timeout "
                                    "({} ms)",
                                    options_.statementTimeout.count()));
      }
      if (!isConnectionState(state) && lease->isOpen()) {
        throw Exception(ErrorCode::InternalError, connection_->scrub(fmt::format("PostgreSQL error: {}", e.what())));
      }
      lostNow = true;
      warn(fmt::format("lost a PostgreSQL connection: {}", e.what()));
    } catch (const std::exception& e) {
      if (lease->isOpen()) {
        throw Exception(ErrorCode::InternalError, connection_->scrub(fmt::format("PostgreSQL error: {}", e.what())));
      }
      lostNow = true;
      warn(fmt::format("lost a PostgreSQL connection: {}", e.what()));
    }
    if (lostNow) {
      lease.discard();
      ++reconnects_;
      if (lost) throw Exception(ErrorCode::Unavailable, "database unavailable: connection lost");
      lost = true;
      inDoubt = committing;
    }
  }
}

void PostgresStore::insert(const std::vector<StoredObject>& objects) {
  if (objects.empty()) return;
  for (const StoredObject& object : objects) {
    if (object.uid.empty()) {
      throw Exception(ErrorCode::InvalidField, "an object to store has an empty unique identifier");
    }
  }
  run<bool>(
      Mode::Write,
      [&](pqxx::transaction_base& tx, Connection& c) {
        const std::int64_t now = nextMicros();
        try {
          for (const StoredObject& object : objects) {
            tx.exec_prepared(c.statement(kInsertObject), object.uid, object.owner,
                             static_cast<std::int64_t>(object.objectType), static_cast<std::int64_t>(object.state),
                             static_cast<std::int64_t>(object.algorithm), object.length, blob(object.object),
                             blob(object.attributes), now, wrappingKeyParam(object.wrappingKey));
            insertNamesAndTags(tx, c, object);
          }
        } catch (const pqxx::unique_violation&) {
          throw Exception(ErrorCode::AlreadyExists, "an object with this unique identifier exists");
        }
        return true;
      },
      // A lost attempt that committed left every object at version 1 with our content: that is
      // this call's success, not an AlreadyExists.
      [&](pqxx::transaction_base& tx, Connection& c, bool) -> std::optional<bool> {
        for (const StoredObject& object : objects) {
          const auto stored = fetchObject(tx, c, object.uid);
          if (!stored || stored->version != 1 || !sameContent(*stored, object)) return std::nullopt;
        }
        return true;
      });
}

std::optional<StoredObject> PostgresStore::get(const std::string& uid) {
  return run<std::optional<StoredObject>>(
      Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) { return fetchObject(tx, c, uid); });
}

void PostgresStore::update(const StoredObject& object) {
  run<bool>(
      Mode::Write,
      [&](pqxx::transaction_base& tx, Connection& c) {
        const auto changed = tx.exec_prepared(
            c.statement(kUpdateObject), object.uid, object.owner, static_cast<std::int64_t>(object.objectType),
            static_cast<std::int64_t>(object.state), static_cast<std::int64_t>(object.algorithm), object.length,
            blob(object.object), blob(object.attributes), nextMicros(), object.version,
            wrappingKeyParam(object.wrappingKey));
        if (changed.affected_rows() == 0) {
          if (tx.exec_prepared(c.statement(kExists), object.uid).empty()) {
            throw Exception(ErrorCode::NotFound, "object not found");
          }
          throw Exception(ErrorCode::InvalidField, "concurrent update: the object changed since it was read");
        }
        tx.exec_prepared(c.statement(kDeleteNames), object.uid);
        tx.exec_prepared(c.statement(kDeleteTags), object.uid);
        insertNamesAndTags(tx, c, object);
        tx.exec_prepared(c.statement(kNotify), postgres::ChangeListener::payload(object.uid, object.version + 1));
        return true;
      },
      // The lost attempt committed when the object is one version ahead with our content.
      [&](pqxx::transaction_base& tx, Connection& c, bool) -> std::optional<bool> {
        const auto stored = fetchObject(tx, c, object.uid);
        if (stored && stored->version == object.version + 1 && sameContent(*stored, object)) return true;
        return std::nullopt;
      });
}

bool PostgresStore::remove(const std::string& uid) {
  const std::function<bool(pqxx::transaction_base&, Connection&)> body = [&](pqxx::transaction_base& tx,
                                                                             Connection& c) {
    const bool removed = tx.exec_prepared(c.statement(kDeleteObject), uid).affected_rows() > 0;
    if (removed) tx.exec_prepared(c.statement(kNotify), postgres::ChangeListener::payload(uid, 0));
    return removed;
  };
  return run<bool>(Mode::Write, body,
                   // When the commit itself was in doubt and the object is gone now, the lost
                   // attempt is what removed it.
                   [&](pqxx::transaction_base& tx, Connection& c, bool inDoubt) -> std::optional<bool> {
                     if (!inDoubt) return std::nullopt;
                     body(tx, c);
                     return true;
                   });
}

std::vector<std::string> PostgresStore::locate(const LocateQuery& query) {
  const postgres::LocateSql sql = postgres::LocateSql::build(query);
  return run<std::vector<std::string>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    return strings(tx.exec_prepared(c.statement(sql.sql), pqxx::prepare::make_dynamic_params(sql.parameters)));
  });
}

void PostgresStore::grant(const std::string& uid, const std::string& user, const std::set<std::string>& operations) {
  if (operations.empty()) return;
  run<bool>(Mode::Write, [&](pqxx::transaction_base& tx, Connection& c) {
    try {
      // An HSM key has no row here: the caller (the HSM layer) checked that it exists. An
      // object's grant refers to its row, so a missing object fails the foreign key.
      tx.exec_prepared(c.statement(isHsmUid(uid) ? kHsmGrant : kGrant), uid, user, textArray(operations));
    } catch (const pqxx::foreign_key_violation&) {
      throw Exception(ErrorCode::NotFound, "object not found");
    }
    return true;
  });
}

void PostgresStore::revoke(const std::string& uid, const std::string& user, const std::set<std::string>& operations) {
  if (operations.empty()) return;
  run<bool>(Mode::Write, [&](pqxx::transaction_base& tx, Connection& c) {
    tx.exec_prepared(c.statement(isHsmUid(uid) ? kHsmRevoke : kRevoke), uid, user, textArray(operations));
    return true;
  });
}

std::set<std::string> PostgresStore::operationsFor(const std::string& uid, const std::string& user) {
  return run<std::set<std::string>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    std::set<std::string> out;
    for (const auto& row :
         tx.exec_prepared(c.statement(isHsmUid(uid) ? kHsmOperationsFor : kOperationsFor), uid, user)) {
      out.insert(row[0].as<std::string>());
    }
    return out;
  });
}

std::optional<ObjectAccess> PostgresStore::accessOf(const std::string& uid, const std::string& user) {
  return run<std::optional<ObjectAccess>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    std::optional<ObjectAccess> out;
    std::set<std::string> operations;
    for (const auto& row : tx.exec_prepared(c.statement(kAccessOf), uid, user)) {
      if (row[0].as<int>() == 0) {
        out = ObjectAccess{row[1].as<std::string>(), {}};
      } else {
        operations.insert(row[1].as<std::string>());
      }
    }
    if (out) out->operations = std::move(operations);
    return out;
  });
}

std::set<std::string> PostgresStore::hsmKeysGrantedTo(const std::string& user) {
  return run<std::set<std::string>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    std::set<std::string> out;
    for (const auto& row : tx.exec_prepared(c.statement(kHsmKeysGrantedTo), user)) out.insert(row[0].as<std::string>());
    return out;
  });
}

std::vector<AccessEntry> PostgresStore::listAccess(const std::string& uid) {
  return run<std::vector<AccessEntry>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    std::vector<AccessEntry> out;
    for (const auto& row : tx.exec_prepared(c.statement(isHsmUid(uid) ? kHsmListAccess : kListAccess), uid)) {
      std::string user = row[0].as<std::string>();
      if (out.empty() || out.back().user != user) out.push_back(AccessEntry{std::move(user), {}});
      out.back().operations.insert(row[1].as<std::string>());
    }
    return out;
  });
}

std::vector<std::string> PostgresStore::ownedBy(const std::string& user) {
  return run<std::vector<std::string>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    return strings(tx.exec_prepared(c.statement(kOwnedBy), user));
  });
}

std::vector<std::pair<std::string, std::set<std::string>>> PostgresStore::obtainedBy(const std::string& user) {
  using Obtained = std::vector<std::pair<std::string, std::set<std::string>>>;
  return run<Obtained>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    Obtained out;
    for (const auto& row : tx.exec_prepared(c.statement(kObtainedBy), user)) {
      std::string uid = row[0].as<std::string>();
      if (out.empty() || out.back().first != uid) out.emplace_back(std::move(uid), std::set<std::string>{});
      out.back().second.insert(row[1].as<std::string>());
    }
    return out;
  });
}

void PostgresStore::insertToken(const ApiTokenRecord& token) {
  if (token.id.empty()) throw Exception(ErrorCode::InvalidField, "an API token needs an id");
  run<bool>(
      Mode::Write,
      [&](pqxx::transaction_base& tx, Connection& c) {
        try {
          tx.exec_prepared(c.statement(kInsertToken), token.id, token.user, blob(token.hash), nextMicros());
        } catch (const pqxx::unique_violation&) {
          throw Exception(ErrorCode::AlreadyExists, "an API token with this id exists");
        }
        return true;
      },
      [&](pqxx::transaction_base& tx, Connection& c, bool) -> std::optional<bool> {
        const auto rows = tx.exec_prepared(c.statement(kFindToken), token.id);
        if (rows.empty()) return std::nullopt;
        const auto stored = readToken(rows[0]);
        if (stored.user == token.user && stored.hash == token.hash && !stored.revokedMicros) return true;
        return std::nullopt;
      });
}

std::optional<ApiTokenRecord> PostgresStore::findToken(const std::string& id) {
  return run<std::optional<ApiTokenRecord>>(
      Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) -> std::optional<ApiTokenRecord> {
        const auto rows = tx.exec_prepared(c.statement(kFindToken), id);
        if (rows.empty()) return std::nullopt;
        return readToken(rows[0]);
      });
}

bool PostgresStore::revokeToken(const std::string& id) {
  const std::function<bool(pqxx::transaction_base&, Connection&)> body = [&](pqxx::transaction_base& tx,
                                                                             Connection& c) {
    return tx.exec_prepared(c.statement(kRevokeToken), id, nowMicros()).affected_rows() > 0;
  };
  return run<bool>(Mode::Write, body,
                   [&](pqxx::transaction_base& tx, Connection& c, bool inDoubt) -> std::optional<bool> {
                     if (!inDoubt) return std::nullopt;
                     if (body(tx, c)) return true;
                     const auto rows = tx.exec_prepared(c.statement(kFindToken), id);
                     return !rows.empty() && !rows[0][4].is_null();
                   });
}

std::vector<ApiTokenRecord> PostgresStore::listTokens() {
  return run<std::vector<ApiTokenRecord>>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    std::vector<ApiTokenRecord> out;
    for (const auto& row : tx.exec_prepared(c.statement(kListTokens))) out.push_back(readToken(row));
    return out;
  });
}

void PostgresStore::ping() {
  try {
    run<bool>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
      tx.exec_prepared(c.statement(kPing));
      return true;
    });
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::Unavailable) throw;  // already says "database unavailable: ..."
    throw Exception(ErrorCode::Unavailable, fmt::format("database unavailable: {}", e.what()));
  }
}

int PostgresStore::schemaVersion() {
  return run<int>(Mode::Read, [&](pqxx::transaction_base& tx, Connection& c) {
    return tx.exec_prepared(c.statement(kSchemaVersion))[0][0].as<int>();
  });
}

void PostgresStore::subscribe(ChangeCallback callback) {
  std::lock_guard lock(listenerMutex_);
  if (!listener_) {
    try {
      listener_ = std::make_unique<postgres::ChangeListener>(connection_->str(), options_.statementTimeout, *watchdog_,
                                                             [this](const std::string& message) { warn(message); });
    } catch (const std::exception& e) {
      throw Exception(
          ErrorCode::Unavailable,
          connection_->scrub(fmt::format("cannot listen for changes on PostgreSQL ({}): {}", description_, e.what())));
    }
  }
  listener_->add(std::move(callback));
}

std::optional<int> PostgresStore::listenerBackendPid() const {
  std::lock_guard lock(listenerMutex_);
  if (!listener_) return std::nullopt;
  return listener_->backendPid();
}

std::vector<int> PostgresStore::idleBackendPids() const {
  return pool_->idleBackendPids();
}

}  // namespace kms::store
