#include "kms/socket/SocketServer.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "kms/net/ConnectionRegistry.hpp"
#include "kms/net/ConnectionWatchdog.hpp"
#include "kms/net/SocketMetrics.hpp"
#include "kms/socket/KmipConnection.hpp"

namespace kms::socket {
namespace {

constexpr int kIdleThreadSeconds = 60;
// Deadlines are checked this often: a handshake or message is cut at most this late.
constexpr auto kWatchPeriod = std::chrono::milliseconds(100);

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(const ConnectionSettings& settings) : settings_(settings) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new KmipConnection(socket, settings_);
  }

 private:
  const ConnectionSettings settings_;
};

Poco::Net::ServerSocket listen(const ServerSettings& settings, const Poco::Net::Context::Ptr& tls) {
  const std::string where = settings.hostname.find(':') != std::string::npos
                                ? fmt::format("[{}]:{}", settings.hostname, settings.port)
                                : fmt::format("{}:{}", settings.hostname, settings.port);
  try {
    Poco::Net::SecureServerSocket socket(tls);
    // As HttpServer: SO_REUSEADDR for restarts, never SO_REUSEPORT (a second kmsd must fail).
    socket.bind(Poco::Net::SocketAddress(settings.hostname, settings.port), true, false);
    socket.listen(static_cast<int>(std::max(64u, settings.maxQueued)));
    return socket;
  } catch (const Poco::Exception& error) {
    const std::string reason = error.code() > 0 ? std::strerror(error.code()) : error.displayText();
    throw ListenError(fmt::format("cannot listen on {} (socket_server): {}", where, reason));
  }
}

}  // namespace

SocketServer::SocketServer(const ServerSettings& settings, const ServerServices& services,
                           const Poco::Net::Context::Ptr& tls)
    : services_(services),
      threads_(static_cast<int>(std::min(2u, settings.threads)), static_cast<int>(settings.threads),
               kIdleThreadSeconds),
      connections_(std::make_unique<net::ConnectionRegistry>()) {
  Poco::Net::ServerSocket socket = listen(settings, tls);
  port_ = socket.address().port();
  Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
  params->setMaxThreads(static_cast<int>(settings.threads));
  params->setMaxQueued(static_cast<int>(settings.maxQueued));
  const ConnectionSettings connection{services.processor,      services.authenticator,  services.inflight,
                                      services.metrics,        *connections_,           settings.decodeLimits,
                                      settings.maxMessageSize, settings.requestTimeout, settings.idleTimeout};
  server_ = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(connection), threads_, socket, params);
  watchdog_ = std::make_unique<net::ConnectionWatchdog>(
      *server_, *connections_, net::ConnectionWatchdog::Settings{kWatchPeriod, "kms.socket", "KMIP socket"},
      [this] { services_.metrics.setRefused(static_cast<std::uint64_t>(server_->refusedConnections())); });
}

SocketServer::~SocketServer() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // A destructor must not throw; nothing more to do.
  }
}

void SocketServer::start() {
  if (running_) return;
  server_->start();
  running_ = true;
  watchdog_->start();
  Poco::Logger::get("kms.socket")
      .information("KMIP socket server started on port %hu with %d threads", port_, server_->maxThreads());
}

void SocketServer::stop() {
  if (!running_) return;
  running_ = false;
  auto& logger = Poco::Logger::get("kms.socket");
  logger.information("KMIP socket server stopping: answering messages in flight");
  server_->stop();          // no new connection
  connections_->stopAll();  // idle ones close now, busy ones after their answer
  threads_.joinAll();       // the watchdog still cuts reads past their deadline
  watchdog_->stop();
  logger.information("KMIP socket server stopped");
}

}  // namespace kms::socket
