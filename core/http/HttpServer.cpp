#include "kms/http/HttpServer.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "kms/config/Version.hpp"
#include "kms/http/EventLoop.hpp"
#include "kms/http/HttpConnection.hpp"
#include "kms/http/ListenError.hpp"
#include "kms/http/RequestHandlerFactory.hpp"

namespace kms::http {
namespace {

// How long a keep-alive connection may idle, and a request or response may stall, before the
// connection closes.
constexpr Poco::Timespan::TimeDiff kConnectionTimeoutSeconds = 30;
// How often the acceptor looks whether the server stops.
constexpr int kAcceptPollMilliseconds = 200;
constexpr auto kAcceptLogPeriod = std::chrono::seconds(60);

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

HttpServer::HttpServer(const config::HttpConfig& config, const HandlerContext& context, Poco::Net::Context::Ptr tls)
    : listener_(listen(config, tls)),
      handlers_(std::make_unique<RequestHandlerFactory>(context)),
      params_(new Poco::Net::HTTPServerParams) {
  port_ = listener_.address().port();
  // poll() says when to accept; a client gone in between must not block the acceptor.
  listener_.setBlocking(false);
  params_->setKeepAlive(true);
  params_->setTimeout(Poco::Timespan(kConnectionTimeoutSeconds, 0));
  params_->setSoftwareVersion(fmt::format("kmsd/{}", config::kVersion));
  EventLoop::Options options;
  options.maxThreads = config.threads;
  options.idleTimeout = std::chrono::seconds(kConnectionTimeoutSeconds);
  loop_ = std::make_unique<EventLoop>(options);
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
  running_ = true;
  loop_->start();
  accepting_ = true;
  acceptor_ = std::thread([this] { acceptWhileRunning(); });
  Poco::Logger::get("kms.http")
      .information(fmt::format("HTTP server started on port {}: {} threads serving, up to {} while requests block",
                               port_, loop_->runningTarget(), loop_->maxThreads()));
}

void HttpServer::stop() {
  if (!running_) return;
  running_ = false;
  auto& logger = Poco::Logger::get("kms.http");
  logger.information("HTTP server stopping: finishing requests in flight");
  accepting_ = false;
  if (acceptor_.joinable()) acceptor_.join();  // no new connection
  loop_->stop();                               // idle ones close now, busy ones after their answer
  listener_.close();
  logger.information("HTTP server stopped");
}

void HttpServer::acceptWhileRunning() {
  auto& logger = Poco::Logger::get("kms.http");
  auto reportedAt = std::chrono::steady_clock::now() - kAcceptLogPeriod;
  pollfd waiting{listener_.impl()->sockfd(), POLLIN, 0};
  while (accepting_) {
    if (::poll(&waiting, 1, kAcceptPollMilliseconds) <= 0) continue;
    try {
      Poco::Net::StreamSocket socket = listener_.acceptConnection();
      socket.setNoDelay(true);  // an answer goes out in one send: nothing to wait for
      loop_->add(std::make_shared<HttpConnection>(socket, *handlers_, params_));
    } catch (const Poco::TimeoutException&) {
      // Nothing to accept after all: the client left between poll and accept.
    } catch (const std::exception& error) {
      const auto* system = dynamic_cast<const Poco::Exception*>(&error);
      if (system != nullptr && (system->code() == EAGAIN || system->code() == EWOULDBLOCK)) continue;
      // Out of descriptors, or a client reset before its addresses were read. Says which, at
      // most once a minute, and gives the system a moment instead of spinning on the error.
      if (std::chrono::steady_clock::now() - reportedAt >= kAcceptLogPeriod) {
        logger.warning(fmt::format("accepting a connection failed: {}", error.what()));
        reportedAt = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace kms::http
