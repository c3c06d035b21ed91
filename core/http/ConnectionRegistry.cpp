#include "kms/http/ConnectionRegistry.hpp"

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

}  // namespace kms::http
