#include "kms/store/sqlite/SqliteStore.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/store/sqlite/ConnectionPool.hpp"
#include "kms/store/sqlite/GroupCommit.hpp"
#include "kms/store/sqlite/LocateSql.hpp"
#include "kms/store/sqlite/Migrations.hpp"
#include "kms/store/sqlite/Transaction.hpp"

namespace kms::store {

using sqlite::Connection;
using sqlite::ConnectionPool;
using sqlite::Transaction;

namespace {

constexpr std::int64_t kProbeCap = 2000;

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void prepareDirectory(const std::filesystem::path& directory) {
  std::error_code ec;
  if (std::filesystem::is_directory(directory, ec)) return;
  std::filesystem::create_directories(directory, ec);
  // 0700: the database holds (wrapped) keys and who may use them; nobody else needs to list it.
  if (!ec) std::filesystem::permissions(directory, std::filesystem::perms::owner_all, ec);
  if (ec) {
    throw Exception(ErrorCode::InternalError,
                    fmt::format("cannot create the database directory {}: {}", directory.string(), ec.message()));
  }
}

// SQLite creates files with 0644 (less the umask) and gives its -wal and -shm files the mode of
// the database, so creating the database 0600 first keeps all three private.
void prepareFile(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Exception(ErrorCode::InternalError,
                    fmt::format("cannot create the database file {}: {}", file.string(), std::strerror(errno)));
  }
  ::close(fd);
}

void enableWal(Connection& writer) {
  auto statement = writer.statement("PRAGMA journal_mode = WAL");
  const std::string mode = statement->step() ? statement->columnText(0) : std::string();
  statement->reset();
  // WAL needs shared memory beside the file; some network filesystems refuse it, and SQLite
  // then silently keeps the rollback journal, where readers block the writer.
  if (mode != "wal") {
    throw Exception(ErrorCode::InternalError,
                    fmt::format("SQLite refused WAL journal mode (got \"{}\"); use a local filesystem", mode));
  }
}

// ?1-?8 of both the INSERT and the UPDATE of an object row.
sqlite::Statement& bindColumns(sqlite::Statement& statement, const StoredObject& object) {
  return statement.bindText(1, object.uid)
      .bindText(2, object.owner)
      .bindInt64(3, object.objectType)
      .bindInt64(4, object.state)
      .bindInt64(5, object.algorithm)
      .bindInt64(6, object.length)
      .bindBlob(7, object.object)
      .bindBlob(8, object.attributes);
}

void insertNamesAndTags(Connection& c, const StoredObject& object) {
  // OR IGNORE: a repeated name or tag is one row; position keeps the first occurrence's order.
  // The owner is the object's (a copy, for the (value, owner) indexes that a user's Locate
  // reads): every write of the object rewrites these rows, so an owner change reaches them.
  auto names = c.statement("INSERT OR IGNORE INTO object_names (uid, name, position, owner) VALUES (?1, ?2, ?3, ?4)");
  for (std::size_t i = 0; i < object.names.size(); ++i) {
    names->bindText(1, object.uid)
        .bindText(2, object.names[i])
        .bindInt64(3, static_cast<std::int64_t>(i))
        .bindText(4, object.owner)
        .run();
  }
  auto tags = c.statement("INSERT OR IGNORE INTO object_tags (uid, tag, position, owner) VALUES (?1, ?2, ?3, ?4)");
  for (std::size_t i = 0; i < object.tags.size(); ++i) {
    tags->bindText(1, object.uid)
        .bindText(2, object.tags[i])
        .bindInt64(3, static_cast<std::int64_t>(i))
        .bindText(4, object.owner)
        .run();
  }
}

std::vector<std::string> readStrings(sqlite::Statement& statement) {
  std::vector<std::string> out;
  while (statement.step()) out.push_back(statement.columnText(0));
  return out;
}

// Keys inside an HSM (DESIGN section 4) keep their grants in hsm_access: they have no object row.
bool isHsmUid(const std::string& uid) {
  return uid.starts_with("hsm::");
}

// An object the server did not wrap has NULL, not '': the partial index then holds only the
// wrapped objects, and "" can never be mistaken for a key's UID.
void bindWrappingKey(sqlite::Statement& statement, int index, const std::string& wrappingKey) {
  if (wrappingKey.empty()) {
    statement.bindNull(index);
  } else {
    statement.bindText(index, wrappingKey);
  }
}

bool exists(Connection& c, const std::string& uid) {
  auto statement = c.statement("SELECT 1 FROM objects WHERE uid = ?1");
  statement->bindText(1, uid);
  const bool found = statement->step();
  statement->reset();
  return found;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& directory, const SqliteOptions& options)
    : file_(directory / kFileName) {
  prepareDirectory(directory);
  prepareFile(file_);
  auto writer = std::make_unique<Connection>(file_.string(), Connection::Mode::ReadWrite, options.busyTimeout);
  enableWal(*writer);
  sqlite::migrate(*writer);
  auto last = writer->statement("SELECT COALESCE(MAX(updated_us), 0) FROM objects");
  last->step();
  lastMicros_ = last->columnInt64(0);
  last->reset();
  last.reset();
  // Readers open after the migration, so that they never see a half-made schema.
  pool_ =
      std::make_unique<ConnectionPool>(std::move(writer), file_.string(), options.readConnections, options.busyTimeout);
  groupCommit_ = std::make_unique<sqlite::GroupCommit>(*pool_);
}

SqliteStore::~SqliteStore() = default;

std::int64_t SqliteStore::nextMicros() {
  lastMicros_ = std::max(nowMicros(), lastMicros_ + 1);
  return lastMicros_;
}

void SqliteStore::insert(const std::vector<StoredObject>& objects) {
  if (objects.empty()) return;
  for (const StoredObject& object : objects) {
    if (object.uid.empty()) {
      throw Exception(ErrorCode::InvalidField, "an object to store has an empty unique identifier");
    }
  }
  // Concurrent writes share one commit (one fsync): see GroupCommit. Every write of the store
  // goes through it: a write outside it would hold the writer for a commit of its own.
  groupCommit_->run([&](sqlite::Connection& c) {
    const std::int64_t now = nextMicros();
    auto statement = c.statement(
        "INSERT INTO objects (uid, owner, object_type, state, algorithm, length, object, attributes, created_us,"
        " updated_us, version, wrapping_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1, ?10)");
    for (const StoredObject& object : objects) {
      bindColumns(*statement, object).bindInt64(9, now);
      bindWrappingKey(*statement, 10, object.wrappingKey);
      statement->run();
      insertNamesAndTags(c, object);
    }
  });
}

std::optional<StoredObject> SqliteStore::get(const std::string& uid) {
  auto c = pool_->reader();
  // One snapshot for the three reads, so names and tags belong to the same version of the row.
  Transaction transaction(*c, Transaction::Kind::Read);
  auto row = c->statement(
      "SELECT owner, object_type, state, algorithm, length, object, attributes, created_us, updated_us, version,"
      " wrapping_key FROM objects WHERE uid = ?1");
  row->bindText(1, uid);
  if (!row->step()) return std::nullopt;
  StoredObject object;
  object.uid = uid;
  object.owner = row->columnText(0);
  object.objectType = static_cast<std::uint32_t>(row->columnInt64(1));
  object.state = static_cast<std::uint32_t>(row->columnInt64(2));
  object.algorithm = static_cast<std::uint32_t>(row->columnInt64(3));
  object.length = static_cast<std::int32_t>(row->columnInt64(4));
  object.object = row->columnBlob(5);
  object.attributes = row->columnBlob(6);
  object.createdMicros = row->columnInt64(7);
  object.updatedMicros = row->columnInt64(8);
  object.version = row->columnInt64(9);
  if (!row->columnIsNull(10)) object.wrappingKey = row->columnText(10);
  row->reset();

  auto names = c->statement("SELECT name FROM object_names WHERE uid = ?1 ORDER BY position");
  names->bindText(1, uid);
  object.names = readStrings(*names);
  auto tags = c->statement("SELECT tag FROM object_tags WHERE uid = ?1 ORDER BY position");
  tags->bindText(1, uid);
  object.tags = readStrings(*tags);
  transaction.commit();
  return object;
}

void SqliteStore::update(const StoredObject& object) {
  groupCommit_->run([&](sqlite::Connection& c) {
    // The version check and the write are one statement: no other writer can slip between them.
    auto statement = c.statement(
        "UPDATE objects SET owner = ?2, object_type = ?3, state = ?4, algorithm = ?5, length = ?6, object = ?7,"
        " attributes = ?8, updated_us = ?9, version = version + 1, wrapping_key = ?11 WHERE uid = ?1 AND version = "
        "?10");
    bindColumns(*statement, object).bindInt64(9, nextMicros()).bindInt64(10, object.version);
    bindWrappingKey(*statement, 11, object.wrappingKey);
    statement->run();
    if (c.changes() == 0) {
      if (!exists(c, object.uid)) throw Exception(ErrorCode::NotFound, "object not found");
      throw Exception(ErrorCode::InvalidField, "concurrent update: the object changed since it was read");
    }
    c.statement("DELETE FROM object_names WHERE uid = ?1")->bindText(1, object.uid).run();
    c.statement("DELETE FROM object_tags WHERE uid = ?1")->bindText(1, object.uid).run();
    insertNamesAndTags(c, object);
  });
}

bool SqliteStore::remove(const std::string& uid) {
  bool removed = false;
  groupCommit_->run([&](sqlite::Connection& c) {
    // Names, tags and access rows go with it: ON DELETE CASCADE (foreign_keys is on).
    c.statement("DELETE FROM objects WHERE uid = ?1")->bindText(1, uid).run();
    removed = c.changes() > 0;
  });
  return removed;
}

std::vector<std::string> SqliteStore::locate(const LocateQuery& query) {
  auto c = pool_->reader();
  // One snapshot for the probes and the query.
  Transaction transaction(*c, Transaction::Kind::Read);
  // Without statistics SQLite cannot tell a rare tag from a common one, so for the server's own
  // queries (no visibleTo) the store puts the rarest tag first, from bounded counts: a probe
  // reads at most kProbeCap index entries. A user's query never probes: its plan (LocateSql)
  // reads only what the user sees, whatever tag drives, and a count of everyone's entries would
  // tell the user how many others' objects carry the tag.
  const LocateQuery* effective = &query;
  LocateQuery reordered;
  if (!query.visibleTo && !query.name && query.tags.size() > 1) {
    auto probe = c->statement("SELECT COUNT(*) FROM (SELECT 1 FROM object_tags WHERE tag = ?1 LIMIT ?2)");
    std::vector<std::pair<std::int64_t, const std::string*>> counted;
    for (const std::string& tag : query.tags) {
      probe->bindText(1, tag).bindInt64(2, kProbeCap);
      probe->step();
      const std::int64_t count = probe->columnInt64(0);
      probe->reset();
      if (count == 0) return {};  // every tag must be present
      counted.emplace_back(count, &tag);
    }
    std::stable_sort(counted.begin(), counted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    reordered = query;
    reordered.tags.clear();
    for (const auto& [count, tag] : counted) reordered.tags.push_back(*tag);
    effective = &reordered;
  }
  const sqlite::LocateSql locate = sqlite::LocateSql::build(*effective);
  auto statement = c->statement(locate.sql);
  for (std::size_t i = 0; i < locate.parameters.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const auto& parameter = locate.parameters[i];
    if (parameter.isText) {
      statement->bindText(index, parameter.text);
    } else {
      statement->bindInt64(index, parameter.number);
    }
  }
  auto uids = readStrings(*statement);
  transaction.commit();
  return uids;
}

void SqliteStore::grant(const std::string& uid, const std::string& user, const std::set<std::string>& operations) {
  if (operations.empty()) return;
  groupCommit_->run([&](sqlite::Connection& c) {
    const bool hsm = isHsmUid(uid);
    // An HSM key has no row here: the caller (the HSM layer) checked that it exists.
    if (!hsm && !exists(c, uid)) throw Exception(ErrorCode::NotFound, "object not found");
    auto statement = c.statement(hsm ? "INSERT OR IGNORE INTO hsm_access (uid, user_id, operation) VALUES (?1, ?2, ?3)"
                                     : "INSERT OR IGNORE INTO access (uid, user_id, operation) VALUES (?1, ?2, ?3)");
    for (const std::string& operation : operations) {
      statement->bindText(1, uid).bindText(2, user).bindText(3, operation).run();
    }
  });
}

void SqliteStore::revoke(const std::string& uid, const std::string& user, const std::set<std::string>& operations) {
  if (operations.empty()) return;
  groupCommit_->run([&](sqlite::Connection& c) {
    auto statement =
        c.statement(isHsmUid(uid) ? "DELETE FROM hsm_access WHERE uid = ?1 AND user_id = ?2 AND operation = ?3"
                                  : "DELETE FROM access WHERE uid = ?1 AND user_id = ?2 AND operation = ?3");
    for (const std::string& operation : operations) {
      statement->bindText(1, uid).bindText(2, user).bindText(3, operation).run();
    }
  });
}

std::set<std::string> SqliteStore::operationsFor(const std::string& uid, const std::string& user) {
  auto c = pool_->reader();
  // One index probe per user id, no DISTINCT (the set removes duplicates): SQLite runs an IN
  // list or a DISTINCT through an ephemeral table, whose page cache costs more than the query.
  auto statement =
      c->statement(isHsmUid(uid) ? "SELECT operation FROM hsm_access WHERE uid = ?1 AND user_id = ?2"
                                   " UNION ALL SELECT operation FROM hsm_access WHERE uid = ?1 AND user_id = '*'"
                                 : "SELECT operation FROM access WHERE uid = ?1 AND user_id = ?2"
                                   " UNION ALL SELECT operation FROM access WHERE uid = ?1 AND user_id = '*'");
  statement->bindText(1, uid).bindText(2, user);
  std::set<std::string> out;
  while (statement->step()) out.insert(statement->columnText(0));
  return out;
}

std::optional<ObjectAccess> SqliteStore::accessOf(const std::string& uid, const std::string& user) {
  auto c = pool_->reader();
  // Both probes always run (a join would skip the access probe for a missing object): the
  // owner row first when there is one, then the user's grants (none without the object), one
  // index probe per user id (an IN list would cost an ephemeral table: see operationsFor).
  auto statement = c->statement(
      "SELECT 0, owner FROM objects WHERE uid = ?1"
      " UNION ALL SELECT 1, operation FROM access WHERE uid = ?1 AND user_id = ?2"
      " UNION ALL SELECT 1, operation FROM access WHERE uid = ?1 AND user_id = '*'");
  statement->bindText(1, uid).bindText(2, user);
  std::optional<ObjectAccess> out;
  std::set<std::string> operations;
  while (statement->step()) {
    if (statement->columnInt64(0) == 0) {
      out = ObjectAccess{statement->columnText(1), {}};
    } else {
      operations.insert(statement->columnText(1));
    }
  }
  if (out) out->operations = std::move(operations);
  return out;
}

std::set<std::string> SqliteStore::hsmKeysGrantedTo(const std::string& user) {
  auto c = pool_->reader();
  auto statement = c->statement(
      "SELECT uid FROM hsm_access WHERE user_id = ?1 UNION ALL SELECT uid FROM hsm_access WHERE user_id = '*'");
  statement->bindText(1, user);
  std::set<std::string> out;
  while (statement->step()) out.insert(statement->columnText(0));
  return out;
}

std::vector<AccessEntry> SqliteStore::listAccess(const std::string& uid) {
  auto c = pool_->reader();
  auto statement = c->statement(
      isHsmUid(uid) ? "SELECT user_id, operation FROM hsm_access WHERE uid = ?1 ORDER BY user_id, operation"
                    : "SELECT user_id, operation FROM access WHERE uid = ?1 ORDER BY user_id, operation");
  statement->bindText(1, uid);
  std::vector<AccessEntry> out;
  while (statement->step()) {
    std::string user = statement->columnText(0);
    if (out.empty() || out.back().user != user) out.push_back(AccessEntry{std::move(user), {}});
    out.back().operations.insert(statement->columnText(1));
  }
  return out;
}

std::vector<std::string> SqliteStore::ownedBy(const std::string& user) {
  auto c = pool_->reader();
  auto statement = c->statement("SELECT uid FROM objects WHERE owner = ?1 ORDER BY created_us DESC, uid");
  statement->bindText(1, user);
  return readStrings(*statement);
}

std::vector<std::pair<std::string, std::set<std::string>>> SqliteStore::obtainedBy(const std::string& user) {
  auto c = pool_->reader();
  auto statement = c->statement(
      "SELECT a.uid, a.operation FROM access a JOIN objects o ON o.uid = a.uid"
      " WHERE a.user_id = ?1 AND o.owner <> ?1 ORDER BY o.created_us DESC, a.uid, a.operation");
  statement->bindText(1, user);
  std::vector<std::pair<std::string, std::set<std::string>>> out;
  while (statement->step()) {
    std::string uid = statement->columnText(0);
    if (out.empty() || out.back().first != uid) out.emplace_back(std::move(uid), std::set<std::string>{});
    out.back().second.insert(statement->columnText(1));
  }
  return out;
}

void SqliteStore::insertToken(const ApiTokenRecord& token) {
  if (token.id.empty()) throw Exception(ErrorCode::InvalidField, "an API token needs an id");
  groupCommit_->run([&](sqlite::Connection& c) {
    auto taken = c.statement("SELECT 1 FROM api_tokens WHERE id = ?1");
    taken->bindText(1, token.id);
    const bool exists = taken->step();
    taken->reset();
    if (exists) throw Exception(ErrorCode::AlreadyExists, "an API token with this id exists");
    c.statement("INSERT INTO api_tokens (id, user_id, hash, created_us, revoked_us) VALUES (?1, ?2, ?3, ?4, NULL)")
        ->bindText(1, token.id)
        .bindText(2, token.user)
        .bindBlob(3, token.hash)
        .bindInt64(4, nextMicros())
        .run();
  });
}

namespace {

ApiTokenRecord readToken(sqlite::Statement& row) {
  ApiTokenRecord token;
  token.id = row.columnText(0);
  token.user = row.columnText(1);
  token.hash = row.columnBlob(2);
  token.createdMicros = row.columnInt64(3);
  if (!row.columnIsNull(4)) token.revokedMicros = row.columnInt64(4);
  return token;
}

}  // namespace

std::optional<ApiTokenRecord> SqliteStore::findToken(const std::string& id) {
  auto c = pool_->reader();
  auto row = c->statement("SELECT id, user_id, hash, created_us, revoked_us FROM api_tokens WHERE id = ?1");
  row->bindText(1, id);
  if (!row->step()) return std::nullopt;
  auto token = readToken(*row);
  row->reset();
  return token;
}

bool SqliteStore::revokeToken(const std::string& id) {
  bool revoked = false;
  groupCommit_->run([&](sqlite::Connection& c) {
    c.statement("UPDATE api_tokens SET revoked_us = ?2 WHERE id = ?1 AND revoked_us IS NULL")
        ->bindText(1, id)
        .bindInt64(2, nowMicros())
        .run();
    revoked = c.changes() > 0;
  });
  return revoked;
}

std::vector<ApiTokenRecord> SqliteStore::listTokens() {
  auto c = pool_->reader();
  auto rows =
      c->statement("SELECT id, user_id, hash, created_us, revoked_us FROM api_tokens ORDER BY created_us DESC, id");
  std::vector<ApiTokenRecord> out;
  while (rows->step()) out.push_back(readToken(*rows));
  return out;
}

void SqliteStore::ping() {
  try {
    auto c = pool_->reader();
    auto statement = c->statement("SELECT 1");
    statement->run();
  } catch (const Exception& e) {
    throw Exception(ErrorCode::Unavailable, fmt::format("database unavailable: {}", e.what()));
  }
}

int SqliteStore::schemaVersion() {
  auto c = pool_->reader();
  return sqlite::appliedVersion(*c);
}

}  // namespace kms::store
