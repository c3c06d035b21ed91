#pragma once
// Turns an SQLite result code into the kms::Exception the rest of kmsd understands.
//
// Only SQLite's own message is reported, never the statement's bound values: those may be key
// identifiers, user names or key material, and error messages end up in logs and responses.
#include <string_view>

#include "kms/Exception.hpp"

struct sqlite3;

namespace kms::store::sqlite {

// BUSY/LOCKED (after the busy timeout) -> Unavailable, UNIQUE/PRIMARY KEY -> AlreadyExists,
// anything else -> InternalError.
[[nodiscard]] ErrorCode errorCodeFor(int resultCode) noexcept;

// Throws the mapped kms::Exception, with `context` (what was attempted) and the connection's
// current error message. `db` may be null (e.g. when open itself failed to allocate).
[[noreturn]] void throwSqliteError(sqlite3* db, int resultCode, std::string_view context);

}  // namespace kms::store::sqlite
