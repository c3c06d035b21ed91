#include "kms/store/sqlite/ConnectionPool.hpp"

#include <utility>

#include "kms/Exception.hpp"

namespace kms::store::sqlite {

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->release(*connection_);
}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), connection_(other.connection_) {}

ConnectionPool::ConnectionPool(std::unique_ptr<Connection> writer, const std::string& file, std::size_t readers,
                               std::chrono::milliseconds waitTimeout)
    : waitTimeout_(waitTimeout), writer_(std::move(writer)) {
  if (readers == 0) readers = 1;
  readers_.reserve(readers);
  idleReaders_.reserve(readers);
  for (std::size_t i = 0; i < readers; ++i) {
    // Read-only handles: a read path can never write by mistake.
    readers_.push_back(std::make_unique<Connection>(file, Connection::Mode::ReadOnly, waitTimeout));
    idleReaders_.push_back(readers_.back().get());
  }
}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::writer() {
  std::unique_lock lock(mutex_);
  if (!writerFreed_.wait_for(lock, waitTimeout_, [this] { return !writerBusy_; })) {
    throw Exception(ErrorCode::Unavailable, "database busy: timed out waiting for the write connection");
  }
  writerBusy_ = true;
  return Lease(*this, *writer_);
}

ConnectionPool::Lease ConnectionPool::reader() {
  std::unique_lock lock(mutex_);
  if (!readerFreed_.wait_for(lock, waitTimeout_, [this] { return !idleReaders_.empty(); })) {
    throw Exception(ErrorCode::Unavailable, "database busy: timed out waiting for a read connection");
  }
  Connection* connection = idleReaders_.back();
  idleReaders_.pop_back();
  return Lease(*this, *connection);
}

void ConnectionPool::release(Connection& connection) noexcept {
  connection.resetStatements();
  if (connection.inTransaction()) {
    // Only reachable through a bug (a Transaction outlives its lease); never hand on a
    // connection in the middle of someone else's transaction.
    try {
      connection.exec("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing better to do in a release path
    }
  }
  const bool isWriter = &connection == writer_.get();
  {
    std::lock_guard lock(mutex_);
    if (isWriter) {
      writerBusy_ = false;
    } else {
      idleReaders_.push_back(&connection);
    }
  }
  (isWriter ? writerFreed_ : readerFreed_).notify_one();
}

}  // namespace kms::store::sqlite
