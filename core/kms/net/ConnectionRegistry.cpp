#include "kms/net/ConnectionRegistry.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "kms/net/ServedConnection.hpp"

namespace kms::net {

bool ConnectionRegistry::add(ServedConnection* connection) {
  const std::lock_guard lock(mutex_);
  if (stopping_) return false;
  connections_.insert(connection);
  return true;
}

void ConnectionRegistry::remove(ServedConnection* connection) {
  const std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void ConnectionRegistry::stopAll() {
  // Under the lock: a connection cannot leave (and be destroyed) while it is being stopped.
  const std::lock_guard lock(mutex_);
  stopping_ = true;
  for (ServedConnection* connection : connections_) connection->stop();
}

std::size_t ConnectionRegistry::reclaimIdle(std::size_t count) {
  const std::lock_guard lock(mutex_);
  std::vector<std::pair<std::chrono::steady_clock::time_point, ServedConnection*>> idle;
  for (ServedConnection* connection : connections_) {
    if (const auto since = connection->idleSince()) idle.emplace_back(*since, connection);
  }
  std::sort(idle.begin(), idle.end());
  std::size_t reclaimed = 0;
  for (const auto& entry : idle) {
    if (reclaimed == count) break;
    if (entry.second->reclaimIfIdle()) ++reclaimed;
  }
  return reclaimed;
}

void ConnectionRegistry::expireReads(std::chrono::steady_clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto ticks = now.time_since_epoch().count();
  for (ServedConnection* connection : connections_) connection->expireRead(ticks);
}

}  // namespace kms::net
