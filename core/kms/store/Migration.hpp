#pragma once
// A versioned schema change, shared by every ObjectStore backend.
//
// Each backend keeps its own ordered list (its SQL dialect differs) and records the versions it
// applied in a `schema_version` table. The planning rules live here so that SQLite and
// PostgreSQL refuse the same situations with the same words.
#include <span>
#include <string_view>
#include <vector>

namespace kms::store {

struct Migration {
  int version;                   // 1, 2, 3, ...: strictly increasing, never reused
  std::string_view description;  // recorded in schema_version, for operators
  std::string_view sql;          // one or more statements, run inside one transaction
};

// The migrations of `all` newer than `current`, in order. Throws kms::Exception(InternalError)
// when the database is newer than the code (`current` above the last known version): running
// old code on a newer schema could silently lose data, so the store refuses to open.
[[nodiscard]] std::vector<const Migration*> pendingMigrations(std::span<const Migration> all, int current,
                                                              std::string_view backend);

// The highest version in `all`, 0 for an empty list.
[[nodiscard]] int latestVersion(std::span<const Migration> all) noexcept;

}  // namespace kms::store
