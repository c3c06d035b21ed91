#pragma once
// The SQLite schema, as an ordered list of migrations, and the code that applies it.
#include <span>

#include "kms/store/Migration.hpp"
#include "kms/store/sqlite/Connection.hpp"

namespace kms::store::sqlite {

// Every SQLite migration, oldest first. Append only: a released migration never changes.
[[nodiscard]] std::span<const Migration> migrations() noexcept;

// Applies the pending migrations, all in one BEGIN IMMEDIATE transaction so that two kmsd
// processes starting together cannot both apply them, and a failure leaves the previous schema
// intact. Throws kms::Exception(InternalError) when the database is newer than this code.
// Returns the schema version now in effect.
int migrate(Connection& writer);

// The highest applied version, 0 for a database without a schema yet.
[[nodiscard]] int appliedVersion(Connection& connection);

}  // namespace kms::store::sqlite
