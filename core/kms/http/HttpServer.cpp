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
#include "kms/http/ConnectionRegistry.hpp"
#include "kms/http/HttpConnection.hpp"
#include "kms/net/InflightBudget.hpp"
#include "kms/http/LingeringCloser.hpp"
#include "kms/http/ListenError.hpp"
#include "kms/http/RequestHandlerFactory.hpp"

namespace kms::http {
namespace {

constexpr int kIdleThreadSeconds = 60;
// How long a keep-alive connection may idle, and a response may stall, before the connection
// closes and its thread is free again. (A request has its own deadline: http.request_timeout.)
constexpr Poco::Timespan::TimeDiff kConnectionTimeoutSeconds = 30;
constexpr auto kReclaimPeriod = std::chrono::milliseconds(200);
constexpr auto kReclaimLogPeriod = std::chrono::seconds(60);
// How long a closed idle connection counts as a thread about to be freed: on a loaded machine
// its thread may take more than one period to pick the queued connection up.
constexpr auto kReclaimGrace = std::chrono::seconds(2);

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(const HandlerContext& context, net::InflightBudget& inflight,
                    Poco::Net::HTTPServerParams::Ptr params, ConnectionRegistry& registry, LingeringCloser& closer,
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
      connections_(std::make_unique<ConnectionRegistry>()),
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
}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; stop() failing here leaves nothing more to do.
  }
}

void HttpServer::start() {
  if (running_) return;
  server_->start();
  running_ = true;
  {
    const std::lock_guard lock(reclaimMutex_);
    reclaiming_ = true;
  }
  reclaimer_ = std::thread([this] { reclaimWhileRunning(); });
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
  {
    const std::lock_guard lock(reclaimMutex_);
    reclaiming_ = false;
  }
  reclaimWake_.notify_all();
  if (reclaimer_.joinable()) reclaimer_.join();
  logger.information("HTTP server stopped");
}

void HttpServer::reclaimWhileRunning() {
  auto& logger = Poco::Logger::get("kms.http");
  std::size_t unreported = 0;
  auto reportedAt = std::chrono::steady_clock::now() - kReclaimLogPeriod;
  int queuedBefore = 0;
  // Connections closed for the queue whose threads have not taken a queued connection yet:
  // without them counted, a slow hand-off would close a second idle connection for the same
  // queued one.
  int pending = 0;
  auto pendingSince = std::chrono::steady_clock::now();
  int startedBefore = server_->totalConnections();
  std::unique_lock lock(reclaimMutex_);
  while (!reclaimWake_.wait_for(lock, kReclaimPeriod, [this] { return !reclaiming_; })) {
    const auto now = std::chrono::steady_clock::now();
    connections_->expireReads(now);
    // A connection sits in the queue for a moment while the pool starts a thread for it: only
    // one still queued a period later, with every thread started, needs a thread freed.
    const int queued = server_->queuedConnections();
    const int started = server_->totalConnections();  // connections given a thread so far
    pending = std::max(0, pending - (started - startedBefore));
    startedBefore = started;
    if (now - pendingSince >= kReclaimGrace) pending = 0;
    const int waiting = std::min(queued, queuedBefore) - pending;
    queuedBefore = queued;
    if (waiting <= 0 || server_->currentThreads() < server_->maxThreads()) continue;
    const std::size_t reclaimed = connections_->reclaimIdle(static_cast<std::size_t>(waiting));
    if (reclaimed > 0) {
      pending += static_cast<int>(reclaimed);
      pendingSince = now;
    }
    unreported += reclaimed;
    if (unreported > 0 && std::chrono::steady_clock::now() - reportedAt >= kReclaimLogPeriod) {
      logger.warning(
          fmt::format("every HTTP thread held a connection while others waited: closed {} idle keep-alive "
                      "connection(s) to serve them (raise --threads above the number of open connections)",
                      unreported));
      unreported = 0;
      reportedAt = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace kms::http
