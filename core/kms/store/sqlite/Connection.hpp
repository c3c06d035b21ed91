#pragma once
// RAII owner of one SQLite connection and of the prepared statements cached on it.
//
// A Connection is used by one thread at a time (the ConnectionPool hands it out), so it is
// opened in SQLite's multi-thread mode, without a per-connection mutex.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kms/store/sqlite/Statement.hpp"

struct sqlite3;

namespace kms::store::sqlite {

class Connection {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  // Opens (creating when ReadWrite) the database file and applies the per-connection settings:
  // busy timeout, foreign keys, synchronous=FULL, defensive mode. WAL is a property of the file
  // and is switched on by the store's first ReadWrite connection, not here.
  Connection(const std::string& file, Mode mode, std::chrono::milliseconds busyTimeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (pragmas, migrations).
  void exec(std::string_view sql);
  // The cached prepared statement for `sql`, reset and without bindings. The shared pointer
  // keeps it valid even if the cache is later trimmed; past kMaxCachedStatements distinct
  // texts, statements are prepared per call rather than cached, bounding memory.
  [[nodiscard]] std::shared_ptr<Statement> statement(std::string_view sql);
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  [[nodiscard]] std::int64_t changes() const noexcept;
  // True while a transaction is open on this connection.
  [[nodiscard]] bool inTransaction() const noexcept;
  // Resets every cached statement left mid-iteration (called when the connection goes back to
  // the pool, so that no read snapshot outlives the operation that took it).
  void resetStatements() noexcept;
  [[nodiscard]] Mode mode() const noexcept { return mode_; }
  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

  static constexpr std::size_t kMaxCachedStatements = 128;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  };

  sqlite3* db_ = nullptr;
  Mode mode_;
  std::unordered_map<std::string, std::shared_ptr<Statement>, Hash, Equal> statements_;
};

}  // namespace kms::store::sqlite
