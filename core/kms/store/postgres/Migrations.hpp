#pragma once
// The PostgreSQL schema, as an ordered list of migrations mirroring SQLite's (same versions,
// same descriptions, same tables), and the code that applies it.
#include <span>

#include <pqxx/connection>

#include "kms/store/Migration.hpp"

namespace kms::store::postgres {

// Every PostgreSQL migration, oldest first. Append only: a released migration never changes.
[[nodiscard]] std::span<const Migration> migrations() noexcept;

// Applies the pending migrations in one transaction that first takes a transaction-level
// advisory lock, so that several kmsd nodes starting together apply each migration once: the
// others wait for the lock, then find nothing pending. A failure leaves the previous schema
// intact (PostgreSQL DDL is transactional). Throws kms::Exception(InternalError) when the
// database is newer than this code. Returns the schema version now in effect.
int migrate(pqxx::connection& connection);

// The highest applied version, 0 for a database without a schema yet.
[[nodiscard]] int appliedVersion(pqxx::connection& connection);

}  // namespace kms::store::postgres
