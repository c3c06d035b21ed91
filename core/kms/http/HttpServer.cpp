#include "kms/http/HttpServer.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "kms/config/Version.hpp"
#include "kms/http/HttpConnection.hpp"
#include "kms/http/LingeringCloser.hpp"
#include "kms/http/ListenError.hpp"
#include "kms/http/RequestHandlerFactory.hpp"
#include "kms/net/ConnectionRegistry.hpp"
#include "kms/net/ConnectionWatchdog.hpp"
#include "kms/net/InflightBudget.hpp"

namespace kms::http {
namespace {

constexpr int kIdleThreadSeconds = 60;
// How long a keep-alive connection may idle, and a response may stall, before the connection
// closes and its thread is free again. (A request has its own deadline: http.request_timeout.)
constexpr Poco::Timespan::TimeDiff kConnectionTimeoutSeconds = 30;
// Reads past their request's deadline are ended, and threads freed for queued connections, this
// often.
constexpr auto kWatchPeriod = std::chrono::milliseconds(200);

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(const HandlerContext& context, net::InflightBudget& inflight,
                    Poco::Net::HTTPServerParams::Ptr params, net::ConnectionRegistry& registry, LingeringCloser& closer,
                    std::chrono::milliseconds requestTimeout)
      : context_(withBudget(context, inflight)),
        handlers_(context_),
        settings_{handlers_, std::move(params), registry, closer, requestTimeout} {}

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new HttpConnection(socket, settings_);
  }

 private:
  static HandlerContext withBudget(HandlerContext context, net::InflightBudget& inflight) {
    context.inflight = &inflight;
    return context;
  }

  const HandlerContext context_;  // the caller's, with the server's budget
  RequestHandlerFactory handlers_;
  const ConnectionSettings settings_;
};

Poco::Net::ServerSocket listen(const config::HttpConfig& config, const Poco::Net::Context::Ptr& tls) {
  const std::string where = config.hostname.find(':') != std::string::npos
                                ? fmt::format("[{}]:{}", config.hostname, config.port)
                                : fmt::format("{}:{}", config.hostname, config.port);
  try {
    Poco::Net::ServerSocket socket = tls ? Poco::Net::SecureServerSocket(tls) : Poco::Net::ServerSocket();
    // SO_REUSEADDR lets a restart bind while old connections sit in TIME_WAIT. SO_REUSEPORT
    // must stay off (Poco's two-argument bind turns it on): with it, a second kmsd would bind
    // the same port silently instead of failing.
    socket.bind(Poco::Net::SocketAddress(config.hostname, config.port), true, false);
    socket.listen(static_cast<int>(std::max(64u, config.maxQueued)));
    return socket;
  } catch (const Poco::Exception& error) {
    // Socket errors carry errno ("Address already in use"); others (host not found) their text.
    const std::string reason = error.code() > 0 ? std::strerror(error.code()) : error.displayText();
    throw ListenError(fmt::format("cannot listen on {}: {}", where, reason));
  }
}

}  // namespace

HttpServer::HttpServer(const config::HttpConfig& config, const HandlerContext& context,
                       const Poco::Net::Context::Ptr& tls)
    : threads_(static_cast<int>(std::min(2u, config.threads)), static_cast<int>(config.threads), kIdleThreadSeconds),
      connections_(std::make_unique<net::ConnectionRegistry>()),
      closer_(std::make_unique<LingeringCloser>()) {
  // The caller's budget when it gives one (kmsd shares one with the KMIP socket server, so that
  // both front ends together hold at most max_inflight_memory), else the server's own.
  net::InflightBudget* budget = context.inflight;
  if (budget == nullptr) {
    inflight_ = std::make_unique<net::InflightBudget>(config.maxInflightMemory);
    budget = inflight_.get();
  }
  net::InflightBudget::configureAllocator();
  Poco::Net::ServerSocket socket = listen(config, tls);
  port_ = socket.address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(static_cast<int>(config.threads));
  params->setMaxQueued(static_cast<int>(config.maxQueued));
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(kConnectionTimeoutSeconds, 0));
  params->setSoftwareVersion(fmt::format("kmsd/{}", config::kVersion));
  server_ = std::make_unique<Poco::Net::TCPServer>(
      new ConnectionFactory(context, *budget, params, *connections_, *closer_, config.requestTimeout), threads_, socket,
      params);
  watchdog_ = std::make_unique<net::ConnectionWatchdog>(
      *server_, *connections_, net::ConnectionWatchdog::Settings{kWatchPeriod, "kms.http", "HTTP"});
}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // A destructor must not throw; stop() failing here leaves nothing more to do.
  }
}

void HttpServer::start() {
  if (running_) return;
  server_->start();
  running_ = true;
  watchdog_->start();
  Poco::Logger::get("kms.http")
      .information("HTTP server started on port %hu with %d threads", port_, server_->maxThreads());
}

void HttpServer::stop() {
  if (!running_) return;
  running_ = false;
  auto& logger = Poco::Logger::get("kms.http");
  logger.information("HTTP server stopping: finishing requests in flight");
  server_->stop();          // no new connection
  connections_->stopAll();  // idle ones close now, busy ones after their answer
  threads_.joinAll();       // the watchdog still bounds the requests that finish
  watchdog_->stop();
  logger.information("HTTP server stopped");
}

}  // namespace kms::http
