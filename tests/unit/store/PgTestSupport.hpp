#pragma once
// Helpers for the tests that need PostgreSQL: the test server's URL, a fresh schema per test,
// and raw access under the store's abstraction.
//
// The server comes from the ctest fixture `postgres` (tests/support/postgres.py start), which
// writes its URL to a file named by KMS_TEST_DATABASE_URL_FILE; KMS_TEST_DATABASE_URL names a
// server directly (running a test binary by hand).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "kms/store/postgres/ConnectionString.hpp"
#include "kms/store/postgres/PostgresStore.hpp"

namespace kms::store::test {

inline std::string pgBaseUrl() {
  if (const char* url = std::getenv("KMS_TEST_DATABASE_URL"); url != nullptr && *url != '\0') return url;
  if (const char* file = std::getenv("KMS_TEST_DATABASE_URL_FILE"); file != nullptr && *file != '\0') {
    std::ifstream in(file);
    std::string url;
    if (in && std::getline(in, url) && !url.empty()) return url;
    throw std::runtime_error(std::string("cannot read the test database URL from ") + file);
  }
  throw std::runtime_error(
      "no PostgreSQL for this test: run it through ctest (fixture `postgres`), or start one with "
      "`python3 tests/support/postgres.py start DIR` and set KMS_TEST_DATABASE_URL_FILE=DIR/url");
}

// A raw session, to look under the store or to break it on purpose.
class PgRaw {
 public:
  explicit PgRaw(const std::string& url) : connection_(postgres::ConnectionString(url).str()) {}
  void exec(const std::string& sql) {
    pqxx::nontransaction tx(connection_);
    tx.exec(sql);
  }
  // First column of the first row as an integer (-1 without rows).
  std::int64_t scalar(const std::string& sql) {
    pqxx::nontransaction tx(connection_);
    const auto rows = tx.exec(sql);
    return rows.empty() || rows[0][0].is_null() ? -1 : rows[0][0].as<std::int64_t>();
  }
  std::string text(const std::string& sql) {
    pqxx::nontransaction tx(connection_);
    return tx.exec(sql)[0][0].as<std::string>();
  }
  // Ends another session the way a crash, a failover or an operator would.
  void terminate(int backendPid) { scalar("SELECT pg_terminate_backend(" + std::to_string(backendPid) + ")::int"); }
  pqxx::connection& connection() { return connection_; }

 private:
  pqxx::connection connection_;
};

// A fresh, empty schema of the test database, dropped at the end of the scope. Stores opened on
// url() create their tables there (search_path), so tests do not see each other's objects.
class PgSchema {
 public:
  PgSchema() : name_(nextName()) { PgRaw(pgBaseUrl()).exec("CREATE SCHEMA " + name_); }
  ~PgSchema() {
    try {
      PgRaw(pgBaseUrl()).exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (...) {  // the server may be gone at the end of a failed test: nothing to clean
    }
  }
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::string url() const {
    postgres::ConnectionString url(pgBaseUrl());
    url.set("options", "-c search_path=" + name_);
    return url.str();
  }
  [[nodiscard]] PostgresOptions options(int poolSize = 8,
                                        std::chrono::milliseconds statementTimeout = std::chrono::seconds(10)) const {
    PostgresOptions options;
    options.url = url();
    options.poolSize = poolSize;
    options.connectTimeout = std::chrono::seconds(5);
    options.statementTimeout = statementTimeout;
    return options;
  }

 private:
  static std::string nextName() {
    static std::atomic<int> counter{0};
    return "kms_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  }
  std::string name_;
};

}  // namespace kms::store::test
