#pragma once
// The connections of one SQLite database file: one writer, several readers.
//
// SQLite allows one writer at a time; under WAL, readers run concurrently with it and with each
// other. Writers wait in-process for the one write connection rather than on SQLite's file
// lock, so they are woken when it is free instead of sleeping and polling in the busy handler. BEGIN IMMEDIATE and the
// busy timeout still guard against other processes opening the same file.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kms/store/sqlite/Connection.hpp"

namespace kms::store::sqlite {

class ConnectionPool {
 public:
  // Gives a connection back to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(ConnectionPool& pool, Connection& connection) noexcept : pool_(&pool), connection_(&connection) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;

    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_; }

   private:
    ConnectionPool* pool_;
    Connection* connection_;
  };

  // `writer` must already be open (the store migrates through it before readers exist).
  ConnectionPool(std::unique_ptr<Connection> writer, const std::string& file, std::size_t readers,
                 std::chrono::milliseconds waitTimeout);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Each waits at most the timeout, then throws kms::Exception(Unavailable).
  [[nodiscard]] Lease writer();
  [[nodiscard]] Lease reader();

 private:
  void release(Connection& connection) noexcept;

  std::chrono::milliseconds waitTimeout_;
  std::unique_ptr<Connection> writer_;
  std::vector<std::unique_ptr<Connection>> readers_;
  // A flag and condition variables rather than std::timed_mutex: its try_lock_for uses
  // pthread_mutex_clocklock, which ThreadSanitizer (g++ 12) does not see, and reports false races.
  std::mutex mutex_;
  bool writerBusy_ = false;               // guarded by mutex_
  std::vector<Connection*> idleReaders_;  // guarded by mutex_
  std::condition_variable writerFreed_;
  std::condition_variable readerFreed_;
};

}  // namespace kms::store::sqlite
