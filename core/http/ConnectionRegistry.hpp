#pragma once
// The connections a server is serving, so that stop() reaches the idle ones: a thread blocked
// in recv() on a keep-alive connection would otherwise hold stop() for the whole idle timeout.
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

 private:
  std::mutex mutex_;
  std::unordered_set<HttpConnection*> connections_;
  bool stopping_ = false;
};

}  // namespace kms::http
