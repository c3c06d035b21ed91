#pragma once
// kmsd's binary KMIP server (KMIP's port 5696): TLS 1.2+ with client certificates required,
// one thread of a bounded pool per open connection (KmipConnection), and a watchdog that cuts
// handshakes and messages at their deadline and, while connections wait in the queue with every
// thread taken, closes the longest-idle connections to free theirs (as HttpServer does).
// Every message goes to the same ops::RequestProcessor as HTTP's, under the same in-flight
// memory budget.
#include <Poco/Net/Context.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "kms/kmip/DecodeLimits.hpp"

namespace Poco::Net {
class TCPServer;
}
namespace kms::ops {
class RequestProcessor;
}
namespace kms::auth {
class AuthenticatorChain;
}
namespace kms::net {
class ConnectionRegistry;
class ConnectionWatchdog;
class InflightBudget;
class SocketMetrics;
}  // namespace kms::net

namespace kms::socket {

struct ServerSettings {
  std::string hostname;
  std::uint16_t port = 5696;  // 0 picks a free port
  unsigned threads = 64;      // connections served at once
  unsigned maxQueued = 256;   // accepted connections waiting for a thread
  std::size_t maxMessageSize = std::size_t{8} << 20;
  std::chrono::milliseconds requestTimeout{20000};
  std::chrono::milliseconds idleTimeout{30000};
  kmip::DecodeLimits decodeLimits;
};

// What the server serves with, owned by the caller and outliving the server.
struct ServerServices {
  ops::RequestProcessor& processor;
  const auth::AuthenticatorChain& authenticator;
  net::InflightBudget& inflight;
  net::SocketMetrics& metrics;
};

class SocketServer {
 public:
  // Binds and listens at once: throws ListenError (a port in use is reported before anything
  // is announced). `tls` must require client certificates (net::TlsContext::create(..., true)).
  SocketServer(const ServerSettings& settings, const ServerServices& services, const Poco::Net::Context::Ptr& tls);
  ~SocketServer();
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  void start();
  // Stops accepting, closes idle connections, lets messages in flight be answered, waits for
  // the threads. Idempotent.
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  const ServerServices services_;
  Poco::ThreadPool threads_;
  std::unique_ptr<net::ConnectionRegistry> connections_;
  std::unique_ptr<Poco::Net::TCPServer> server_;  // after threads_ and connections_: destroyed first
  // Cuts reads at their deadline, frees threads for queued connections; destroyed before server_.
  std::unique_ptr<net::ConnectionWatchdog> watchdog_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

// The listener could not be opened (port in use, unknown host).
class ListenError : public std::runtime_error {
 public:
  explicit ListenError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kms::socket
