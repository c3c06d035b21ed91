#pragma once
// RAII transaction on a Connection: rolled back unless commit() was reached.
#include "kms/store/sqlite/Connection.hpp"

namespace kms::store::sqlite {

class Transaction {
 public:
  // Read: BEGIN DEFERRED, for a consistent snapshot across several SELECTs.
  // Write: BEGIN IMMEDIATE, which takes the write lock up front. A deferred transaction that
  // reads and then writes can fail with SQLITE_BUSY at the write without waiting, because
  // its snapshot may be stale; taking the lock first makes the busy timeout apply instead.
  enum class Kind { Read, Write };

  Transaction(Connection& connection, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

}  // namespace kms::store::sqlite
