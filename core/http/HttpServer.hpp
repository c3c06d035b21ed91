#pragma once
// kmsd's HTTP server: a thread accepts connections and hands them to an EventLoop, whose few
// threads serve the connections that have a request (DESIGN §11); a keep-alive connection
// waiting for its next request holds no thread. `threads` bounds the requests served at once,
// counting those blocked in an HSM or database call.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "kms/config/Config.hpp"
#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class EventLoop;
class RequestHandlerFactory;

class HttpServer {
 public:
  // Binds and listens at once, so that a port in use is reported before anything is
  // announced: throws ListenError. `context` and what it refers to must outlive the server.
  // With `tls` (TlsContext::create) the port speaks HTTPS only.
  HttpServer(const config::HttpConfig& config, const HandlerContext& context, Poco::Net::Context::Ptr tls = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  HttpServer(HttpServer&&) = delete;
  HttpServer& operator=(HttpServer&&) = delete;

  void start();
  // Stops accepting, lets every request in flight finish and closes idle keep-alive
  // connections, then waits for the threads. Idempotent.
  void stop();

  // The port actually bound (the configured one, or the one picked for port 0).
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  void acceptWhileRunning();

  Poco::Net::ServerSocket listener_;
  std::unique_ptr<RequestHandlerFactory> handlers_;
  Poco::Net::HTTPServerParams::Ptr params_;
  std::unique_ptr<EventLoop> loop_;
  std::uint16_t port_ = 0;
  bool running_ = false;
  std::atomic<bool> accepting_{false};
  std::thread acceptor_;
};

}  // namespace kms::http
