#include "kms/store/sqlite/Statement.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

#include "kms/store/sqlite/SqliteError.hpp"

namespace kms::store::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Exception(ErrorCode::InternalError, "sqlite: statement text too long");
  }
  // SQLITE_PREPARE_PERSISTENT: these statements are cached for the connection's lifetime.
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throwSqliteError(db_, rc, "prepare");
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::check(int resultCode, std::string_view what) const {
  if (resultCode != SQLITE_OK) throwSqliteError(db_, resultCode, what);
}

Statement& Statement::bindText(int index, std::string_view value) {
  check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
  return *this;
}

Statement& Statement::bindInt64(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}

Statement& Statement::bindBlob(int index, std::span<const std::uint8_t> value) {
  // An empty span may have a null data(); SQLite would then store NULL, not an empty blob.
  static const std::uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  check(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), "bind");
  return *this;
}

Statement& Statement::bindNull(int index) {
  check(sqlite3_bind_null(stmt_, index), "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  // sqlite3_reset returns the same error again; the message is read before it.
  try {
    throwSqliteError(db_, rc, "step");
  } catch (...) {
    sqlite3_reset(stmt_);
    throw;
  }
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::columnInt64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string Statement::columnText(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);  // after the conversion, as SQLite asks
  return text == nullptr ? std::string() : std::string(text, static_cast<std::size_t>(size));
}

kms::SecureBytes Statement::columnBlob(int index) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  const int size = sqlite3_column_bytes(stmt_, index);
  return data == nullptr ? kms::SecureBytes() : kms::SecureBytes(data, data + size);
}

bool Statement::columnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::busy() const noexcept {
  return sqlite3_stmt_busy(stmt_) != 0;
}

std::string_view Statement::sql() const noexcept {
  return sqlite3_sql(stmt_);
}

}  // namespace kms::store::sqlite
