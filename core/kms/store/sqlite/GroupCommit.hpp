#pragma once
// Several writers' work in one SQLite transaction, so that one fsync makes all of it durable.
//
// With synchronous=FULL every commit waits for an fsync (~4 ms on these machines, DESIGN §11
// as measured): one insert per transaction caps a store at ~250 creates/s whatever the load.
// Here the first writer to arrive leads: it takes every job queued meanwhile, runs each in its
// own SAVEPOINT (a failing job is undone alone and its exception goes back to its caller),
// commits once and wakes them all. Every caller returns only after the transaction holding its
// job committed: a success still means durable.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "kms/store/sqlite/Connection.hpp"
#include "kms/store/sqlite/ConnectionPool.hpp"

namespace kms::store::sqlite {

class GroupCommit {
 public:
  using Job = std::function<void(Connection& writer)>;

  explicit GroupCommit(ConnectionPool& pool) : pool_(pool) {}

  // Runs `job` on the write connection inside a shared write transaction; rethrows what the
  // job threw, or the commit's failure.
  void run(const Job& job);

 private:
  struct Pending {
    const Job* job = nullptr;
    std::exception_ptr error;
    bool done = false;
  };

  void execute(const std::vector<Pending*>& batch);

  ConnectionPool& pool_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending*> queue_;
  bool leading_ = false;
};

}  // namespace kms::store::sqlite
