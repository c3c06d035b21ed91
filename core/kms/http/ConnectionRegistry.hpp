#pragma once
// The connections a server is serving, so that stop() reaches the idle ones: a thread blocked
// in recv() on a keep-alive connection would otherwise hold stop() for the whole idle timeout.
// For the same reason it can free threads for connections waiting in the queue: with a thread
// per connection, a connection beyond the pool would otherwise wait for an idle one to time out.
// And it lets the watchdog end reads still blocked past their request's deadline.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_set>

namespace kms::http {

class HttpConnection;

class ConnectionRegistry {
 public:
  // False once the server stops: the connection closes without serving.
  bool add(HttpConnection* connection);
  void remove(HttpConnection* connection);
  // Refuses new connections and stops every registered one (HttpConnection::stop).
  void stopAll();
  // Closes up to `count` idle connections, those idle the longest first; returns how many.
  std::size_t reclaimIdle(std::size_t count);
  // Ends every read blocked past its request's deadline (HttpConnection::expireRead).
  void expireReads(std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  std::unordered_set<HttpConnection*> connections_;
  bool stopping_ = false;
};

}  // namespace kms::http
