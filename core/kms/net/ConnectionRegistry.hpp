#pragma once
// The connections a server is serving, so that stop() reaches the idle ones (a thread blocked
// in a read on a kept-alive connection would otherwise hold stop() for the whole idle timeout),
// idle connections can give their threads to queued ones (a thread per connection: one beyond
// the pool would otherwise wait for an idle one to time out), and the watchdog can end reads
// past their deadline. A connection leaves before its socket closes, and every call on one
// runs under the registry's lock.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_set>

namespace kms::net {

class ServedConnection;

class ConnectionRegistry {
 public:
  // False once stopAll() has run: the connection must close at once.
  bool add(ServedConnection* connection);
  void remove(ServedConnection* connection);
  // Refuses new connections and stops every registered one (ServedConnection::stop).
  void stopAll();
  // Closes up to `count` idle connections, those idle the longest first; returns how many.
  std::size_t reclaimIdle(std::size_t count);
  // Ends every read blocked past its deadline (ServedConnection::expireRead).
  void expireReads(std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  std::unordered_set<ServedConnection*> connections_;
  bool stopping_ = false;
};

}  // namespace kms::net
