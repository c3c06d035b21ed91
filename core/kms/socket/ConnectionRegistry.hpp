#pragma once
// The socket server's open connections, for its watchdog and stop(): a thread blocked in a read
// wakes only when the socket is shut down, so the registry is how a deadline, a reclaimed idle
// connection or a stopping server reaches it. A connection leaves before its socket closes, and
// every call on one runs under the registry's lock: nothing acts on a closed descriptor.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_set>

namespace kms::socket {

class KmipConnection;

class ConnectionRegistry {
 public:
  // False once the server stops: the connection closes without serving.
  bool add(KmipConnection* connection);
  void remove(KmipConnection* connection);
  // Refuses new connections; idle ones close now, busy ones after their answer.
  void stopAll();
  // Closes up to `count` idle connections, the longest idle first (connections wait in the
  // queue for their threads); returns how many it closed.
  std::size_t reclaimIdle(std::size_t count);
  // Cuts every handshake or message still being read past its deadline.
  void expire(std::chrono::steady_clock::time_point now);

 private:
  std::mutex mutex_;
  std::unordered_set<KmipConnection*> connections_;
  bool stopping_ = false;
};

}  // namespace kms::socket
