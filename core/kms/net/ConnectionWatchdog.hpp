#pragma once
// The thread beside a thread-per-connection server (Poco's TCPServer) that keeps it fair:
// every period it ends reads past their deadline (ConnectionRegistry::expireReads) and, when
// every thread holds a connection while accepted ones wait in the queue, closes the connections
// idle the longest to give their threads to those (reclaimIdle). Closes are logged at most once
// a minute, with the advice to raise --threads.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace Poco::Net {
class TCPServer;
}

namespace kms::net {

class ConnectionRegistry;

class ConnectionWatchdog {
 public:
  struct Settings {
    std::chrono::milliseconds period{200};
    std::string logger;  // Poco logger of the server ("kms.http")
    std::string what;    // the server in the log line ("HTTP")
  };

  // `server` and `connections` outlive the watchdog; `onTick`, if any, runs every period too.
  ConnectionWatchdog(const Poco::Net::TCPServer& server, ConnectionRegistry& connections, Settings settings,
                     std::function<void()> onTick = {});
  ~ConnectionWatchdog();
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog(ConnectionWatchdog&&) = delete;
  ConnectionWatchdog& operator=(ConnectionWatchdog&&) = delete;

  void start();
  // Idempotent; joins the thread.
  void stop();

 private:
  void run();

  const Poco::Net::TCPServer& server_;
  ConnectionRegistry& connections_;
  const Settings settings_;
  const std::function<void()> onTick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace kms::net
