#pragma once
// RAII owner of one prepared SQLite statement, with typed bind and column helpers.
//
// Parameters and columns are numbered as SQLite numbers them: parameters from 1, columns
// from 0. Bound text and blobs are copied (SQLITE_TRANSIENT), so temporaries are safe to bind.
// A Statement is used by one thread at a time, like the Connection that owns it.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kms/SecureBytes.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kms::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;

  Statement& bindText(int index, std::string_view value);
  Statement& bindInt64(int index, std::int64_t value);
  Statement& bindBlob(int index, std::span<const std::uint8_t> value);
  Statement& bindNull(int index);

  // Advances to the next row: true when a row is available, false when the statement is done
  // (it is then reset, ready to run again with the same bindings).
  bool step();
  // Runs a statement that returns no rows (or whose rows are not wanted) to completion.
  void run();

  [[nodiscard]] std::int64_t columnInt64(int index) const;
  [[nodiscard]] std::string columnText(int index) const;
  // Wiped on release: a stored object holds key material where it is not wrapped.
  [[nodiscard]] kms::SecureBytes columnBlob(int index) const;
  [[nodiscard]] bool columnIsNull(int index) const;

  // Ends any row iteration in progress and forgets the bindings. A statement stepped but not
  // reset keeps its read snapshot open, which under WAL pins old pages and stops checkpoints.
  void reset() noexcept;
  // True between a step that returned a row and the end of the iteration or a reset.
  [[nodiscard]] bool busy() const noexcept;
  [[nodiscard]] std::string_view sql() const noexcept;

 private:
  void check(int resultCode, std::string_view what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace kms::store::sqlite
