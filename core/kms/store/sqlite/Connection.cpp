#include "kms/store/sqlite/Connection.hpp"

#include <sqlite3.h>

#include <string>

#include "kms/store/sqlite/SqliteError.hpp"

namespace kms::store::sqlite {

Connection::Connection(const std::string& file, Mode mode, std::chrono::milliseconds busyTimeout) : mode_(mode) {
  const int flags = (mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    try {
      throwSqliteError(db_, rc, "open " + file);
    } catch (...) {
      sqlite3_close_v2(db_);  // open allocates a handle even on failure
      db_ = nullptr;
      throw;
    }
  }
  try {
    sqlite3_busy_timeout(db_, static_cast<int>(busyTimeout.count()));
    // Defensive mode forbids SQL that could corrupt the file (writable_schema and the like);
    // the schema is ours alone, so nothing legitimate needs it.
    sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    // synchronous is per connection: FULL makes each WAL commit fsync'ed before it returns, so a
    // successful response survives a power cut (NORMAL would only survive a process crash).
    exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA trusted_schema = OFF;");
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Connection::~Connection() {
  statements_.clear();  // finalize before closing, or the handle lingers as a zombie
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);  // the same text stays available through sqlite3_errmsg
  if (rc != SQLITE_OK) throwSqliteError(db_, rc, "exec");
}

std::shared_ptr<Statement> Connection::statement(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    it->second->reset();
    return it->second;
  }
  auto statement = std::make_shared<Statement>(db_, sql);
  if (statements_.size() < kMaxCachedStatements) statements_.emplace(std::string(sql), statement);
  return statement;
}

std::int64_t Connection::changes() const noexcept {
  return sqlite3_changes64(db_);
}

bool Connection::inTransaction() const noexcept {
  return sqlite3_get_autocommit(db_) == 0;
}

void Connection::resetStatements() noexcept {
  for (auto& [sql, statement] : statements_) {
    if (statement->busy()) statement->reset();
  }
}

}  // namespace kms::store::sqlite
