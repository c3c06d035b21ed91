#include "kms/store/postgres/ConnectionPool.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::store::postgres {

ConnectionPool::ConnectionPool(std::size_t size, std::chrono::milliseconds waitTimeout,
                               std::function<std::unique_ptr<Connection>()> open)
    : size_(size == 0 ? 1 : size), waitTimeout_(waitTimeout), open_(std::move(open)) {}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, waitTimeout_, [&] { return !idle_.empty() || openCount_ < size_; });
  if (!ready) {
    throw Exception(ErrorCode::Unavailable,
                    fmt::format("all {} database connections stayed busy for {} ms", size_, waitTimeout_.count()));
  }
  if (!idle_.empty()) {
    // Last in, first out: the most recently used session is the one least likely to have been
    // dropped by an idle timeout on the way.
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++openCount_;
  lock.unlock();
  // Connect outside the lock: connecting takes a round trip or several (up to the connect
  // timeout), and other callers may meanwhile reuse idle sessions.
  try {
    return Lease(*this, open_());
  } catch (...) {
    lock.lock();
    --openCount_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (connection && connection->isOpen()) {
      idle_.push_back(std::move(connection));
    } else {
      --openCount_;
    }
  }
  available_.notify_one();
  // A discarded or broken session is closed here, outside the lock.
}

std::size_t ConnectionPool::openCount() const {
  std::lock_guard lock(mutex_);
  return openCount_;
}

std::vector<int> ConnectionPool::idleBackendPids() const {
  std::lock_guard lock(mutex_);
  std::vector<int> pids;
  pids.reserve(idle_.size());
  for (const auto& connection : idle_) pids.push_back(connection->backendPid());
  return pids;
}

}  // namespace kms::store::postgres
