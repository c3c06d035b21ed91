#include "kms/socket/KmipConnection.hpp"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <array>
#include <climits>
#include <exception>
#include <span>
#include <stdexcept>

#include "kms/Exception.hpp"
#include "kms/SecureBytes.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/auth/AuthenticationError.hpp"
#include "kms/auth/AuthenticatorChain.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/net/InflightBudget.hpp"
#include "kms/net/MessageLimits.hpp"
#include "kms/net/SocketMetrics.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/net/ConnectionRegistry.hpp"
#include "kms/socket/ErrorAnswer.hpp"
#include "kms/socket/FrameHeader.hpp"

namespace kms::socket {
namespace {

using Clock = std::chrono::steady_clock;
using Failure = net::SocketMetrics::Failure;

// The peer closed, or the read was cut (deadline, reclaimed, stopping): nobody to answer.
class ConnectionOver : public std::runtime_error {
 public:
  explicit ConnectionOver(const char* why) : std::runtime_error(why) {}
};

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.socket");
  return instance;
}

// The operation of the message's first batch item, by its KMIP name: a bounded set of labels.
std::string_view operationOf(const kmip::Ttlv& request) {
  const auto* item = request.find("BatchItem");
  const auto* operation = item != nullptr && item->isStructure() ? item->find("Operation") : nullptr;
  if (operation == nullptr || operation->type() != kmip::ItemType::Enumeration) return "Unknown";
  return kmip::Dictionary::enumName("Operation", operation->asEnumeration()).value_or("Unknown");
}

Failure failureOf(const Exception& error) {
  switch (error.code()) {
    case ErrorCode::PayloadTooLarge:
      return Failure::TooLarge;
    case ErrorCode::Unavailable:
      return Failure::Busy;
    case ErrorCode::AuthenticationFailed:
      return Failure::Authentication;
    case ErrorCode::InternalError:
      return Failure::Internal;
    default:
      return Failure::Framing;
  }
}

}  // namespace

KmipConnection::KmipConnection(const Poco::Net::StreamSocket& socket, const ConnectionSettings& settings)
    : Poco::Net::TCPServerConnection(socket), settings_(settings) {}

void KmipConnection::run() {
  // The handshake's deadline counts from the accept: a connection that waited in the queue
  // has spent part of it there.
  arm(Clock::now() + settings_.requestTimeout);
  if (!settings_.registry.add(this)) return;
  settings_.metrics.opened();
  try {
    serve();
  } catch (const ConnectionOver&) {  // NOLINT(bugprone-empty-catch): why below
    // Closed, cut at its deadline, reclaimed or stopped: nothing to answer.
  } catch (const std::exception& error) {
    settings_.metrics.failed(Failure::Internal);
    logger().error("KMIP connection: unexpected error: %s", std::string(error.what()));
  } catch (...) {
    settings_.metrics.failed(Failure::Internal);
    logger().error("KMIP connection: unexpected non-standard exception");
  }
  settings_.metrics.closed();
  // The socket closes after this, with the connection: never while the registry can reach it.
  settings_.registry.remove(this);
}

void KmipConnection::serve() {
  Poco::Net::StreamSocket& peer = socket();
  // The watchdog ends idle waits and deadlines; the receive timeout is only a backstop (TLS
  // reads wait for it twice: once in recv(), once more in Poco's poll() after WANT_READ).
  peer.setReceiveTimeout(Poco::Timespan(
      std::chrono::duration_cast<std::chrono::microseconds>(settings_.idleTimeout + settings_.requestTimeout).count()));
  // An answer the client does not read costs the request timeout at most.
  peer.setSendTimeout(
      Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(settings_.requestTimeout).count()));
  try {
    Poco::Net::SecureStreamSocket secure(peer);
    secure.completeHandshake();
  } catch (const Poco::Exception& error) {
    // No certificate, one the CA did not sign, no common protocol, or cut at the deadline.
    settings_.metrics.failed(Failure::Handshake);
    if (logger().debug()) {
      logger().debug(fmt::format("TLS handshake with {} failed: {}", peer.peerAddress().toString(),
                                 expired_.load() ? "not finished within the request timeout" : error.displayText()));
    }
    return;
  }
  disarm();
  if (expired_.load()) {
    settings_.metrics.failed(Failure::Handshake);
    return;
  }
  std::string user;
  try {
    user = authenticate();
  } catch (const Exception& error) {
    settings_.metrics.failed(Failure::Authentication);
    send(ErrorAnswer::build(error, ErrorAnswer::Version{}));
    return;
  }
  while (serveMessage(user)) {
  }
}

std::string KmipConnection::authenticate() {
  Poco::Net::SecureStreamSocket secure(socket());
  auth::Credentials credentials;
  // The handshake verified the certificate against clients_ca_cert_file and required one.
  if (secure.havePeerCertificate()) credentials.clientCertificate = secure.peerCertificate();
  try {
    return settings_.authenticator.authenticate(credentials);
  } catch (const auth::AuthenticationError& error) {
    logger().warning(fmt::format("KMIP connection from {}: authentication failed: {}",
                                 socket().peerAddress().host().toString(), error.what()));
    try {
      audit::AuditEvent event;
      event.type = "auth.failure";
      event.operation = "connect";
      event.result = "denied";
      event.reason = "AuthenticationFailed";
      event.message = error.what();
      event.peer = socket().peerAddress().host().toString();
      event.transport = "kmip-socket";
      audit::AuditLog::note(std::move(event), false);  // not waited for: the client is unknown
    } catch (const std::exception& auditError) {
      logger().error(fmt::format("audit: {}", auditError.what()));
    }
  }
  // One fixed text, as on HTTPS: the answer does not help tell one refusal from another.
  throw Exception(ErrorCode::AuthenticationFailed, "authentication required");
}

bool KmipConnection::serveMessage(const std::string& user) {
  if (!enter(State::Idle)) return false;
  std::array<std::uint8_t, FrameHeader::kSize> head{};
  std::size_t got = 0;
  try {
    // The first bytes may take the idle timeout; the message from there on has its deadline.
    arm(Clock::now() + settings_.idleTimeout);
    got = static_cast<std::size_t>(socket().receiveBytes(head.data(), static_cast<int>(head.size())));
  } catch (const Poco::Exception&) {
    return false;  // idle too long, reclaimed, stopped, reset
  }
  if (got == 0 || expired_.load() || !enter(State::Reading)) return false;
  const auto started = Clock::now();
  arm(started + settings_.requestTimeout);
  try {
    readExactly(head.data() + got, head.size() - got);
    const FrameHeader header = FrameHeader::parse(head);
    try {
      header.check(settings_.maxMessageSize);
    } catch (const Exception& error) {
      settings_.metrics.failed(failureOf(error));
      disarm();
      send(ErrorAnswer::build(error, ErrorAnswer::Version{}));
      return false;
    }
    const std::size_t size = FrameHeader::kSize + header.length;
    // Held until the answer is sent: the message, then its decoded tree as the decoder asks.
    net::InflightBudget::Reservation reservation(&settings_.inflight);
    SecureBytes message;
    try {
      reservation.requireBody(size);
      message.resize(size);
      std::copy(head.begin(), head.end(), message.begin());
      readExactly(message.data() + FrameHeader::kSize, header.length);
      disarm();
      if (!enter(State::Busy)) return false;  // stopping: the message is dropped unserved
      const kmip::Ttlv request =
          kmip::BinaryCodec::decode(std::span<const std::uint8_t>(message.data(), message.size()),
                                    net::MessageLimits::of(settings_.decodeLimits, size, &reservation));
      const std::string_view operation = operationOf(request);
      // Exactly as POST /kmip with a binary body: the processor answers every batch item, and
      // throws only for a message it cannot use as a whole.
      ops::RequestContext context{user};
      // getpeername per message only when there is an audit log to read it.
      if (audit::AuditLog::current() != nullptr) context.peer = socket().peerAddress().host().toString();
      context.transport = "kmip-socket";
      const kmip::Ttlv response = settings_.processor.process(request, context);
      send(response);
      settings_.metrics.observe(operation, Clock::now() - started);
      return true;
    } catch (const Exception& error) {
      settings_.metrics.failed(failureOf(error));
      disarm();
      send(ErrorAnswer::build(error, ErrorAnswer::versionOf(message)));
      return false;
    }
  } catch (const ConnectionOver&) {
    if (expired_.load()) settings_.metrics.failed(Failure::Timeout);
    throw;
  }
}

void KmipConnection::readExactly(std::uint8_t* into, std::size_t size) {
  while (size > 0) {
    if (expired_.load()) throw ConnectionOver("the message did not arrive within the request timeout");
    int got = 0;
    try {
      got = socket().receiveBytes(into, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    } catch (const Poco::Exception&) {
      throw ConnectionOver("the connection failed in the middle of a message");
    }
    if (got <= 0) throw ConnectionOver("the connection closed in the middle of a message");
    into += got;
    size -= static_cast<std::size_t>(got);
  }
}

void KmipConnection::send(const kmip::Ttlv& message) {
  const auto bytes = kmip::BinaryCodec::encode(message);
  try {
    socket().sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const Poco::Exception&) {
    throw ConnectionOver("the answer could not be sent");
  }
}

void KmipConnection::arm(Clock::time_point deadline) noexcept {
  until_.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
}

bool KmipConnection::enter(State state) {
  const std::lock_guard lock(stateMutex_);
  if (state_ == State::Stopping || expired_.load()) return false;
  if (state == State::Idle && state_ != State::Idle) idleSince_ = Clock::now();
  state_ = state;
  return true;
}

void KmipConnection::stop() {
  const std::lock_guard lock(stateMutex_);
  const bool busy = state_ == State::Busy;
  state_ = State::Stopping;
  if (!busy) shutdownLocked();
}

std::optional<Clock::time_point> KmipConnection::idleSince() {
  const std::lock_guard lock(stateMutex_);
  if (state_ != State::Idle) return std::nullopt;
  return idleSince_;
}

bool KmipConnection::reclaimIfIdle() {
  const std::lock_guard lock(stateMutex_);
  if (state_ != State::Idle) return false;
  state_ = State::Stopping;
  shutdownLocked();
  return true;
}

void KmipConnection::expireRead(std::int64_t now) {
  const std::int64_t until = until_.load(std::memory_order_relaxed);
  if (until == 0 || until > now) return;
  const std::lock_guard lock(stateMutex_);
  expired_.store(true);
  shutdownLocked();
}

void KmipConnection::shutdownLocked() {
  // On the descriptor itself (Poco's SecureStreamSocketImpl ignores shutdownReceive()): wakes a
  // blocked recv(), SSL_read() or SSL_accept() with an end of stream. An idle connection, or one
  // past its deadline, has nothing more to say either.
  (void)::shutdown(socket().impl()->sockfd(), SHUT_RDWR);
}

}  // namespace kms::socket
