#pragma once
// One PostgreSQL session of the pool: a pqxx connection with the session settings kmsd needs
// and the statements it has prepared.
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include <pqxx/connection>

namespace kms::store::postgres {

class Connection {
 public:
  // Connects with `conninfo` (keyword/value form, holds the password) and sets the session's
  // statement_timeout. Throws pqxx::broken_connection (and other pqxx failures) as they come:
  // the store turns them into kms::Exception with the password scrubbed.
  Connection(const std::string& conninfo, std::chrono::milliseconds statementTimeout);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] pqxx::connection& raw() noexcept { return connection_; }
  [[nodiscard]] int backendPid() const noexcept { return connection_.backendpid(); }
  [[nodiscard]] bool isOpen() const noexcept { return connection_.is_open(); }

  // The name of a prepared statement for `sql` on this session, prepared on first use. Locate
  // builds its text per query shape, so statements are prepared as they are first seen rather
  // than from a fixed list.
  const std::string& statement(const std::string& sql);

 private:
  pqxx::connection connection_;
  std::unordered_map<std::string, std::string> statements_;  // sql -> name
};

}  // namespace kms::store::postgres
