#include "kms/net/ConnectionWatchdog.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include <fmt/format.h>
#include <Poco/Logger.h>
#include <Poco/Net/TCPServer.h>

#include "kms/net/ConnectionRegistry.hpp"

namespace kms::net {
namespace {

constexpr auto kLogPeriod = std::chrono::seconds(60);
// How long a connection closed for the queue counts as a thread about to be freed: past it,
// the hand-off is taken as done (or lost) and the queue is looked at afresh.
constexpr auto kHandOffGrace = std::chrono::seconds(2);

}  // namespace

ConnectionWatchdog::ConnectionWatchdog(const Poco::Net::TCPServer& server, ConnectionRegistry& connections,
                                       Settings settings, std::function<void()> onTick)
    : server_(server), connections_(connections), settings_(std::move(settings)), onTick_(std::move(onTick)) {}

ConnectionWatchdog::~ConnectionWatchdog() {
  stop();
}

void ConnectionWatchdog::start() {
  const std::lock_guard lock(mutex_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void ConnectionWatchdog::stop() {
  {
    const std::lock_guard lock(mutex_);
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectionWatchdog::run() {
  auto& logger = Poco::Logger::get(settings_.logger);
  std::size_t unreported = 0;
  auto reportedAt = std::chrono::steady_clock::now() - kLogPeriod;
  int queuedBefore = 0;
  // Connections closed for the queue whose threads have not taken a queued connection yet:
  // without them counted, a slow hand-off would close a second idle connection for the same
  // queued one.
  int pending = 0;
  auto pendingSince = std::chrono::steady_clock::now();
  int startedBefore = server_.totalConnections();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, settings_.period, [this] { return !running_; })) {
    const auto now = std::chrono::steady_clock::now();
    connections_.expireReads(now);
    if (onTick_) onTick_();
    // A connection sits in the queue for a moment while the pool starts a thread for it: only
    // one still queued a period later, with every thread started, needs a thread freed.
    const int queued = server_.queuedConnections();
    const int started = server_.totalConnections();  // connections given a thread so far
    pending = std::max(0, pending - (started - startedBefore));
    startedBefore = started;
    if (now - pendingSince >= kHandOffGrace) pending = 0;
    const int waiting = std::min(queued, queuedBefore) - pending;
    queuedBefore = queued;
    if (waiting <= 0 || server_.currentThreads() < server_.maxThreads()) continue;
    const std::size_t reclaimed = connections_.reclaimIdle(static_cast<std::size_t>(waiting));
    if (reclaimed > 0) {
      pending += static_cast<int>(reclaimed);
      pendingSince = now;
    }
    unreported += reclaimed;
    if (unreported > 0 && std::chrono::steady_clock::now() - reportedAt >= kLogPeriod) {
      logger.warning(
          fmt::format("every {} thread held a connection while others waited: closed {} idle "
                      "connection(s) to serve them (raise --threads above the number of open connections)",
                      settings_.what, unreported));
      unreported = 0;
      reportedAt = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace kms::net
