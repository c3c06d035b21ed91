#include "kms/http/HttpConnection.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <sys/socket.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include "kms/http/BodyReader.hpp"
#include "kms/net/ConnectionRegistry.hpp"
#include "kms/http/ErrorResponse.hpp"
#include "kms/http/LingeringCloser.hpp"
#include "kms/http/ServerRequest.hpp"
#include "kms/http/ServerResponse.hpp"

namespace kms::http {
namespace {

// The Date header changes once a second; formatting it for every request is wasted work.
const std::string& httpDate() {
  thread_local std::time_t formattedAt = 0;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formattedAt) {
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
    formattedAt = now;
  }
  return text;
}

}  // namespace

HttpConnection::HttpConnection(const Poco::Net::StreamSocket& socket, const ConnectionSettings& settings)
    : Poco::Net::TCPServerConnection(socket), settings_(settings) {}

void HttpConnection::run() {
  if (!settings_.registry.add(this)) return;
  try {
    serve();
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // A reset, a timeout or a failed TLS handshake ends the connection; the peer learns it
    // from the closed socket and there is nobody else to tell.
  }
  // The socket closes after this, with the connection: never while the registry can reach it
  // (stop() and expireRead() act on its descriptor).
  settings_.registry.remove(this);
}

void HttpConnection::stop() {
  const std::lock_guard lock(stateMutex_);
  stopLocked();
}

bool HttpConnection::stopLocked() {
  const bool idle = state_ == State::Idle;
  state_ = State::Stopping;
  // On the descriptor itself: Poco's SecureStreamSocketImpl ignores shutdownReceive(). Sending
  // still works, so a request whose header had already arrived is answered.
  if (idle) (void)::shutdown(socket().impl()->sockfd(), SHUT_RD);
  return idle;
}

bool HttpConnection::enter(State state) {
  const std::lock_guard lock(stateMutex_);
  if (state_ == State::Stopping) return false;
  if (state == State::Idle && state_ != State::Idle) idleSince_ = std::chrono::steady_clock::now();
  state_ = state;
  return true;
}

std::optional<std::chrono::steady_clock::time_point> HttpConnection::idleSince() {
  const std::lock_guard lock(stateMutex_);
  if (state_ != State::Idle) return std::nullopt;
  return idleSince_;
}

bool HttpConnection::reclaimIfIdle() {
  const std::lock_guard lock(stateMutex_);
  return state_ == State::Idle && stopLocked();
}

void HttpConnection::expireRead(std::int64_t now) {
  const std::int64_t until = watch_.until.load(std::memory_order_relaxed);
  if (until == 0 || until > now) return;
  const std::lock_guard lock(stateMutex_);
  watch_.expired.store(true);
  // Wakes the blocked recv() (or SSL_read()) with an end of stream; sending still works, so a
  // head that timed out is answered 408.
  (void)::shutdown(socket().impl()->sockfd(), SHUT_RD);
}

void HttpConnection::serve() {
  Poco::Net::StreamSocket& peer = socket();
  const auto& params = *settings_.params;
  peer.setReceiveTimeout(params.getTimeout());  // the keep-alive idle limit
  peer.setSendTimeout(params.getTimeout());
  const ConnectionInfo connection{peer, peer.peerAddress(), peer.address(), peer.secure(), settings_.params};
  ConnectionInput input(peer, watch_);
  // The first request's time counts from the connection's start: a TLS handshake, or a client
  // that connects and says nothing, is bounded like a slow head.
  std::optional<ConnectionInput::Clock::time_point> first = ConnectionInput::Clock::now() + settings_.requestTimeout;
  while (enter(State::Idle)) {
    if (!input.awaitRequest(first)) return;  // closed, idle too long, or stopped
    input.startRequest(first.value_or(ConnectionInput::Clock::now() + settings_.requestTimeout));
    first.reset();
    ServerResponse response(peer);
    std::unique_ptr<ServerRequest> request;
    try {
      request = std::make_unique<ServerRequest>(input, response, connection);
    } catch (const Poco::Net::MessageException& error) {
      replyAndClose(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST, "malformed HTTP request: " + error.message());
      return;
    } catch (const RequestTimeout& error) {
      replyAndClose(Poco::Net::HTTPResponse::HTTP_REQUEST_TIMEOUT, error.what());
      return;
    }
    if (!answer(*request, response)) return;
  }
}

bool HttpConnection::answer(ServerRequest& request, ServerResponse& response) {
  const bool stopping = !enter(State::Busy);
  const auto& params = *settings_.params;
  response.setVersion(request.getVersion());
  response.setKeepAlive(params.getKeepAlive() && request.getKeepAlive() && !stopping);
  response.set("Date", httpDate());
  if (!params.getSoftwareVersion().empty()) response.set("Server", params.getSoftwareVersion());
  if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD) response.omitBody();
  if (request.getExpectContinue()) response.sendContinue();

  try {
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(settings_.handlers.createRequestHandler(request));
    if (handler) {
      handler->handleRequest(request, response);
    } else {
      ErrorResponse::sendStatus(response, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED, "not implemented");
    }
  } catch (...) {
    // Handlers answer their own errors; this is a bug or a broken connection. Answer if the
    // response has not begun, and close either way.
    if (!response.sent()) {
      response.setKeepAlive(false);
      ErrorResponse::sendInternal(response);
    }
    settings_.closer.adopt(socket());
    return false;
  }
  response.complete();
  // What the handler left of the body is dropped if it is here already, never waited for: a
  // refused request (401, 413) costs its connection nothing more.
  const bool inStep = request.skipBody(BodyReader::kSkippableSize);
  if (inStep && response.getKeepAlive()) return true;
  // Input may still come (the rest of a body, pipelined requests): linger elsewhere.
  settings_.closer.adopt(socket());
  return false;
}

void HttpConnection::replyAndClose(int status, const std::string& reason) {
  ServerResponse response(socket());
  response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  response.setKeepAlive(false);
  response.set("Date", httpDate());
  // Our reasons name the rule broken ("header field value too long"), never request bytes.
  try {
    ErrorResponse::sendStatus(response, status, reason);
  } catch (const Poco::Exception&) {
    return;  // the peer is gone
  }
  settings_.closer.adopt(socket());
}

}  // namespace kms::http
