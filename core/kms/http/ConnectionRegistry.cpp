#include "kms/http/ConnectionRegistry.hpp"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "kms/http/HttpConnection.hpp"

namespace kms::http {

bool ConnectionRegistry::add(HttpConnection* connection) {
  const std::lock_guard lock(mutex_);
  if (stopping_) return false;
  connections_.insert(connection);
  return true;
}

void ConnectionRegistry::remove(HttpConnection* connection) {
  const std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void ConnectionRegistry::stopAll() {
  // Under the lock: a connection cannot leave (and be destroyed) while it is being stopped.
  const std::lock_guard lock(mutex_);
  stopping_ = true;
  for (HttpConnection* connection : connections_) connection->stop();
}

std::size_t ConnectionRegistry::reclaimIdle(std::size_t count) {
  const std::lock_guard lock(mutex_);
  std::vector<std::pair<std::chrono::steady_clock::time_point, HttpConnection*>> idle;
  for (HttpConnection* connection : connections_) {
    if (const auto since = connection->idleSince()) idle.emplace_back(*since, connection);
  }
  std::sort(idle.begin(), idle.end());
  std::size_t reclaimed = 0;
  for (const auto& [since, connection] : idle) {
    if (reclaimed == count) break;
    if (connection->reclaimIfIdle()) ++reclaimed;
  }
  return reclaimed;
}

void ConnectionRegistry::expireReads(std::chrono::steady_clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto ticks = now.time_since_epoch().count();
  for (HttpConnection* connection : connections_) connection->expireRead(ticks);
}

}  // namespace kms::http
