#pragma once
// One keep-alive HTTP/1.1 connection, served on one thread of the server's pool until the peer
// closes, the idle timeout passes or the server stops. It replaces Poco's HTTPServerConnection,
// which asks epoll whether the next request has arrived (an epoll instance created and closed
// per request: a third of kmsd's CPU in the encrypt benchmark) and looks up both socket
// addresses per request. Here the thread simply blocks in recv() for the next request, with the
// socket's receive timeout as the idle limit; ConnectionInput reads, RequestHead parses.
//
// A request's head and body must arrive within the request timeout, in total (ConnectionInput,
// with the server's watchdog calling expireRead()). Nothing waits for a body the handler did not
// read: what has arrived is dropped, otherwise the connection closes, and a closing connection
// lingers on the LingeringCloser's thread, not on this one. So a client that sends slowly holds
// a thread for at most the request timeout, and one that is refused (401) for no time at all.
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "kms/http/ConnectionInput.hpp"
#include "kms/net/ServedConnection.hpp"

namespace kms::net {
class ConnectionRegistry;
}

namespace kms::http {

class LingeringCloser;
class ServerRequest;
class ServerResponse;

// What the server gives each of its connections.
struct ConnectionSettings {
  Poco::Net::HTTPRequestHandlerFactory& handlers;
  Poco::Net::HTTPServerParams::Ptr params;  // its timeout: the keep-alive idle limit
  net::ConnectionRegistry& registry;
  LingeringCloser& closer;
  std::chrono::milliseconds requestTimeout;
};

class HttpConnection : public Poco::Net::TCPServerConnection, public net::ServedConnection {
 public:
  HttpConnection(const Poco::Net::StreamSocket& socket, const ConnectionSettings& settings);

  void run() override;

  // From the registry when the server stops: an idle connection stops reading at once; a busy
  // one finishes its request, answers it and closes.
  void stop() override;
  // Since when the connection waits for its next request; nullopt while it serves one.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> idleSince() override;
  // Closes the connection if it is still idle (a connection waiting in the queue needs its
  // thread); true when it did.
  bool reclaimIfIdle() override;
  // From the watchdog: ends a read that is still blocked past its request's deadline (`now` in
  // steady_clock ticks).
  void expireRead(std::int64_t now) override;

 private:
  enum class State { Idle, Busy, Stopping };

  void serve();
  // Answers one request; false when the connection must close after it.
  bool answer(ServerRequest& request, ServerResponse& response);
  bool enter(State state);  // false once stopping
  // stop() under stateMutex_: true when the connection was idle (it stops reading at once).
  bool stopLocked();
  void replyAndClose(int status, const std::string& reason);

  const ConnectionSettings& settings_;
  ReadWatch watch_;
  std::mutex stateMutex_;
  State state_ = State::Idle;
  std::chrono::steady_clock::time_point idleSince_ = std::chrono::steady_clock::now();
};

}  // namespace kms::http
