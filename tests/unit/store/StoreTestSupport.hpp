#pragma once
// Helpers shared by the store tests: a temporary directory and object factories.
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "kms/store/ObjectStore.hpp"
#include "support/TempDir.hpp"

namespace kms::store::test {

using TempDir = kms::test::TempDir;

inline kms::SecureBytes bytes(std::size_t size, std::uint8_t seed) {
  kms::SecureBytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

inline StoredObject makeObject(const std::string& uid, const std::string& owner = "alice") {
  StoredObject o;
  o.uid = uid;
  o.owner = owner;
  o.objectType = 2;  // SymmetricKey
  o.state = 2;       // Active
  o.algorithm = 3;   // AES
  o.length = 256;
  o.object = bytes(48, 1);
  o.attributes = bytes(32, 9);
  return o;
}

// Raw SQLite access to the store's file, to look under the abstraction.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open failed");
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
  }
  // First column of the first row as an integer.
  std::int64_t scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    std::int64_t value = -1;
    if (sqlite3_step(s) == SQLITE_ROW) value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return value;
  }
  // Every row's fourth column of EXPLAIN QUERY PLAN, joined by newlines.
  std::string plan(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    const std::string text = "EXPLAIN QUERY PLAN " + sql;
    if (sqlite3_prepare_v2(db_, text.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
    std::string out;
    while (sqlite3_step(s) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(s, 3));
      out += '\n';
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace kms::store::test
