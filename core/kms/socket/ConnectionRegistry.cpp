#include "kms/socket/ConnectionRegistry.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "kms/socket/KmipConnection.hpp"

namespace kms::socket {

bool ConnectionRegistry::add(KmipConnection* connection) {
  const std::lock_guard lock(mutex_);
  if (stopping_) return false;
  connections_.insert(connection);
  return true;
}

void ConnectionRegistry::remove(KmipConnection* connection) {
  const std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void ConnectionRegistry::stopAll() {
  const std::lock_guard lock(mutex_);
  stopping_ = true;
  for (KmipConnection* connection : connections_) connection->stop();
}

std::size_t ConnectionRegistry::reclaimIdle(std::size_t count) {
  const std::lock_guard lock(mutex_);
  std::vector<std::pair<std::chrono::steady_clock::time_point, KmipConnection*>> idle;
  for (KmipConnection* connection : connections_) {
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

void ConnectionRegistry::expire(std::chrono::steady_clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto ticks = now.time_since_epoch().count();
  for (KmipConnection* connection : connections_) connection->expireIfLate(ticks);
}

}  // namespace kms::socket
