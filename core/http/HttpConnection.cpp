#include "kms/http/HttpConnection.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <ctime>
#include <memory>
#include <string>

#include "kms/http/BodyReader.hpp"
#include "kms/http/ConnectionRegistry.hpp"
#include "kms/http/ErrorResponse.hpp"
#include "kms/http/ServerRequest.hpp"
#include "kms/http/ServerResponse.hpp"

namespace kms::http {
namespace {

// Closing a socket with unread input makes the kernel send a reset, and a reset can destroy
// the answer before the client reads it. So the server stops sending, then reads and drops
// what still comes for a little while before it closes (nginx's "lingering close").
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = std::size_t{4} << 20;

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

HttpConnection::HttpConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPRequestHandlerFactory& handlers,
                               Poco::Net::HTTPServerParams::Ptr params, ConnectionRegistry& registry)
    : Poco::Net::TCPServerConnection(socket), handlers_(handlers), params_(std::move(params)), registry_(registry) {}

void HttpConnection::run() {
  if (!registry_.add(this)) return;
  try {
    serve();
  } catch (...) {
    // A reset, a timeout or a failed TLS handshake ends the connection; the peer learns it
    // from the closed socket and there is nobody else to tell.
  }
  registry_.remove(this);
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

void HttpConnection::serve() {
  Poco::Net::StreamSocket& peer = socket();
  peer.setReceiveTimeout(params_->getTimeout());  // also the keep-alive idle limit
  peer.setSendTimeout(params_->getTimeout());
  Poco::Net::HTTPServerSession session(peer, params_);
  const ConnectionInfo connection{peer, peer.peerAddress(), peer.address(), peer.secure(), params_};
  while (enter(State::Idle)) {
    ServerResponse response(peer);
    std::unique_ptr<ServerRequest> request;
    try {
      request = std::make_unique<ServerRequest>(session, response, connection);
    } catch (const Poco::Net::NoMessageException&) {
      return;  // the peer closed between requests
    } catch (const Poco::Net::MessageException& error) {
      replyAndClose(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST, error.message());
      return;
    }
    if (!answer(*request, response)) return;
  }
}

bool HttpConnection::answer(ServerRequest& request, ServerResponse& response) {
  const bool stopping = !enter(State::Busy);
  response.setVersion(request.getVersion());
  response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && !stopping);
  response.set("Date", httpDate());
  if (!params_->getSoftwareVersion().empty()) response.set("Server", params_->getSoftwareVersion());
  if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD) response.omitBody();
  if (request.getExpectContinue()) response.sendContinue();

  try {
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(handlers_.createRequestHandler(request));
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
    return false;
  }
  response.complete();
  if (!request.discardBody(BodyReader::kSkippableSize)) {
    lingerAndClose();
    return false;
  }
  return response.getKeepAlive();
}

void HttpConnection::replyAndClose(int status, const std::string& reason) {
  ServerResponse response(socket());
  response.setKeepAlive(false);
  response.set("Date", httpDate());
  // Poco's and our reasons name the rule broken ("Field value too long"), never request bytes.
  ErrorResponse::sendStatus(response, status, "malformed HTTP request: " + reason);
  lingerAndClose();
}

void HttpConnection::lingerAndClose() {
  // On the descriptor: what is dropped needs no TLS decoding, and no TLS alert may follow.
  const int fd = socket().impl()->sockfd();
  (void)::shutdown(fd, SHUT_WR);
  socket().setReceiveTimeout(Poco::Timespan(0, 200'000));
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  std::array<char, 16384> scratch;  // NOLINT(cppcoreguidelines-pro-type-member-init): written by recv
  std::size_t dropped = 0;
  while (dropped < kLingerBytes && std::chrono::steady_clock::now() < deadline) {
    const auto got = ::recv(fd, scratch.data(), scratch.size(), 0);
    if (got <= 0) break;
    dropped += static_cast<std::size_t>(got);
  }
  socket().close();
}

}  // namespace kms::http
