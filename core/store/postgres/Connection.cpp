#include "kms/store/postgres/Connection.hpp"

namespace kms::store::postgres {

Connection::Connection(const std::string& conninfo, std::chrono::milliseconds statementTimeout)
    : connection_(conninfo) {
  // set_variable rather than a plain SET: libpqxx replays it if it ever re-establishes the
  // session by itself (it may do so for a BEGIN on a dropped socket), so no session of ours
  // runs without the timeout. The timeout bounds lock waits too.
  connection_.set_variable("statement_timeout", std::to_string(statementTimeout.count()));
  // libpqxx prints server notices to stderr; "relation already exists, skipping" at every start
  // is noise in kmsd's output. Warnings and errors still come through.
  connection_.set_variable("client_min_messages", "warning");
}

const std::string& Connection::statement(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return found->second;
  std::string name = "kms_" + std::to_string(statements_.size());
  // libpqxx prepares on the server at first execution, and again if it re-establishes the
  // session by itself.
  connection_.prepare(name, sql);
  return statements_.emplace(sql, std::move(name)).first->second;
}

}  // namespace kms::store::postgres
