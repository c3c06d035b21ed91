#pragma once
// A bounded set of PostgreSQL sessions shared by the store's callers.
//
// Sessions are opened on demand up to `size`, so a node that is mostly idle keeps few backends
// on a PostgreSQL that several nodes share (max_connections is per server). A caller waits for
// a free session at most `waitTimeout`, then gets kms::Exception(Unavailable): a call never
// hangs behind a saturated pool.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kms/store/postgres/Connection.hpp"

namespace kms::store::postgres {

class ConnectionPool {
 public:
  // `open` makes a new session (it connects and prepares); it may throw.
  ConnectionPool(std::size_t size, std::chrono::milliseconds waitTimeout,
                 std::function<std::unique_ptr<Connection>()> open);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one session until destroyed; discard() when the session is broken, so
  // that it is closed instead of handed to the next caller.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection) noexcept
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), connection_(std::move(other.connection_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() { pool_->release(std::move(connection_)); }

    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }
    void discard() noexcept { connection_.reset(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  [[nodiscard]] Lease acquire();
  // Sessions open now (idle or leased), for tests and diagnostics.
  [[nodiscard]] std::size_t openCount() const;
  // The backend pids of the idle sessions, for tests that break one on purpose.
  [[nodiscard]] std::vector<int> idleBackendPids() const;

 private:
  void release(std::unique_ptr<Connection> connection) noexcept;

  const std::size_t size_;
  const std::chrono::milliseconds waitTimeout_;
  const std::function<std::unique_ptr<Connection>()> open_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  std::size_t openCount_ = 0;                      // idle + leased + being opened; guarded by mutex_
};

}  // namespace kms::store::postgres
