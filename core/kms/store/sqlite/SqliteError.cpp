#include "kms/store/sqlite/SqliteError.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace kms::store::sqlite {

ErrorCode errorCodeFor(int resultCode) noexcept {
  switch (resultCode & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::Unavailable;
    case SQLITE_CONSTRAINT:
      if (resultCode == SQLITE_CONSTRAINT_PRIMARYKEY || resultCode == SQLITE_CONSTRAINT_UNIQUE) {
        return ErrorCode::AlreadyExists;
      }
      return ErrorCode::InternalError;
    default:
      return ErrorCode::InternalError;
  }
}

void throwSqliteError(sqlite3* db, int resultCode, std::string_view context) {
  const ErrorCode code = errorCodeFor(resultCode);
  // sqlite3_errmsg describes the most recent failure on the connection, which is this one as
  // long as the connection is used by one thread at a time (the pool guarantees it).
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(resultCode);
  if (code == ErrorCode::AlreadyExists) {
    throw Exception(code, fmt::format("an object with this unique identifier already exists ({})", detail));
  }
  if (code == ErrorCode::Unavailable) {
    throw Exception(code, fmt::format("database busy: {}: {}", context, detail));
  }
  throw Exception(code, fmt::format("sqlite: {}: {} (code {})", context, detail, resultCode));
}

}  // namespace kms::store::sqlite
