#pragma once
// kmsd's HTTP server: Poco's TCPServer accepts and hands each connection to a thread of a pool
// of `threads` (one per open keep-alive connection, DESIGN §11; `max_queued` more wait), where
// HttpConnection serves its HTTP/1.1 requests. Beside them: a thread that frees threads for
// queued connections and ends reads past their request's deadline (the watchdog), the
// LingeringCloser's thread, and the memory budget of requests in flight.
#include <Poco/Net/Context.h>
#include <Poco/ThreadPool.h>

#include <cstdint>
#include <memory>
#include <string>

#include "kms/config/Config.hpp"
#include "kms/http/HandlerContext.hpp"

namespace Poco::Net {
class TCPServer;
}

namespace kms::net {
class ConnectionRegistry;
class ConnectionWatchdog;
class InflightBudget;
}  // namespace kms::net

namespace kms::http {

class LingeringCloser;

class HttpServer {
 public:
  // Binds and listens at once, so that a port in use is reported before anything is
  // announced: throws ListenError. `context` and what it refers to must outlive the server.
  // With `tls` (TlsContext::create) the port speaks HTTPS only.
  HttpServer(const config::HttpConfig& config, const HandlerContext& context,
             const Poco::Net::Context::Ptr& tls = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting, lets every request in flight finish and closes idle keep-alive
  // connections, then waits for the workers. Idempotent.
  void stop();

  // The port actually bound (the configured one, or the one picked for port 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  Poco::ThreadPool threads_;
  std::unique_ptr<net::ConnectionRegistry> connections_;
  std::unique_ptr<LingeringCloser> closer_;
  std::unique_ptr<net::InflightBudget> inflight_;
  std::unique_ptr<Poco::Net::TCPServer> server_;  // after threads_ and connections_: destroyed first
  // Frees threads for queued connections, ends reads past their deadline; destroyed before server_.
  std::unique_ptr<net::ConnectionWatchdog> watchdog_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

}  // namespace kms::http
