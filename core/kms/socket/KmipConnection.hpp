#pragma once
// One binary KMIP connection, on one thread of the socket server's pool: the TLS handshake
// (client certificate required; it names the user, as on HTTPS), then messages one after the
// other until the peer closes, the idle timeout passes or the server stops.
//
// Each message: its 8-byte header is checked (FrameHeader) before anything is allocated, the
// in-flight budget reserves its bytes, then the rest is read. The handshake, and each message
// from its first byte to its last, must arrive by a deadline (request_timeout) however the peer
// spaces its bytes: the server's watchdog shuts the socket down at that time (expireRead), so a
// client that trickles bytes or never finishes its handshake holds a thread that long at most.
// A message that cannot be served as a whole (malformed, too large, no memory) is answered by
// an ErrorAnswer and the connection closes: after a bad frame nothing says where the next begins.
#include <Poco/Net/TCPServerConnection.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "kms/kmip/DecodeLimits.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/net/ServedConnection.hpp"

namespace kms::ops {
class RequestProcessor;
}
namespace kms::auth {
class AuthenticatorChain;
}
namespace kms::net {
class ConnectionRegistry;
class InflightBudget;
class SocketMetrics;
}  // namespace kms::net

namespace kms::socket {

// What the server gives each of its connections.
struct ConnectionSettings {
  ops::RequestProcessor& processor;
  const auth::AuthenticatorChain& authenticator;
  net::InflightBudget& inflight;
  net::SocketMetrics& metrics;
  net::ConnectionRegistry& registry;
  kmip::DecodeLimits decodeLimits;
  std::size_t maxMessageSize;
  std::chrono::milliseconds requestTimeout;  // the handshake, and each message
  std::chrono::milliseconds idleTimeout;     // between messages
};

class KmipConnection : public Poco::Net::TCPServerConnection, public net::ServedConnection {
 public:
  KmipConnection(const Poco::Net::StreamSocket& socket, const ConnectionSettings& settings);

  void run() override;

  // From the registry (under its lock). stop: the server stops; a connection idle or still
  // receiving closes now, one serving a message after its answer.
  void stop() override;
  // Since when the connection waits for its next message; nullopt while it serves one.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> idleSince() override;
  // Closes the connection if it is idle; true when it did.
  bool reclaimIfIdle() override;
  // Shuts the socket down when the read in progress is past its deadline (`now`: steady ticks).
  void expireRead(std::int64_t now) override;

 private:
  // Reading: the handshake or a message is arriving (stopping cuts it: nothing to answer yet);
  // Busy: the message is being served and answered (stopping lets it finish).
  enum class State { Idle, Reading, Busy, Stopping };

  void serve();
  // The user the client certificate names; throws kms::Exception(AuthenticationFailed).
  std::string authenticate();
  // Reads, answers and returns true for one message; false when the connection must close.
  bool serveMessage(const std::string& user);
  void arm(std::chrono::steady_clock::time_point deadline) noexcept;
  void disarm() noexcept { until_.store(0, std::memory_order_relaxed); }
  // Reads exactly `size` bytes; throws the reasons below.
  void readExactly(std::uint8_t* into, std::size_t size);
  void send(const kmip::Ttlv& message);
  bool enter(State state);  // false once stopping
  void shutdownLocked();

  const ConnectionSettings& settings_;
  std::atomic<std::int64_t> until_{0};  // steady ticks: the deadline of the read in progress, 0: none
  std::atomic<bool> expired_{false};    // the watchdog cut a read: the connection is over
  std::mutex stateMutex_;
  State state_ = State::Reading;  // the handshake first
  std::chrono::steady_clock::time_point idleSince_{};
};

}  // namespace kms::socket
