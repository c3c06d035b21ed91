#pragma once
// SQLite's page cache and statement buffers hold stored objects (for keys without a wrapping
// key, clear key material): make SQLite wipe every block it frees.
namespace kms::store::sqlite {

class SqliteMemory {
 public:
  // Must run before SQLite is initialised (the first database opened); false when too late.
  static bool wipeOnFree() noexcept;
};

}  // namespace kms::store::sqlite
