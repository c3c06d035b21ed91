#include "kms/store/sqlite/Transaction.hpp"

namespace kms::store::sqlite {

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  connection_.statement(kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")->run();
  open_ = true;
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    // Statements still iterating would otherwise keep parts of the transaction alive.
    connection_.resetStatements();
    if (connection_.inTransaction()) connection_.statement("ROLLBACK")->run();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw, and SQLite
    // already rolled back when a failed statement ended the transaction itself.
  }
}

void Transaction::commit() {
  connection_.resetStatements();
  connection_.statement("COMMIT")->run();
  open_ = false;
}

}  // namespace kms::store::sqlite
