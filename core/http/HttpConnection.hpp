#pragma once
// One keep-alive HTTP/1.1 connection. Between requests it holds no thread: the EventLoop serves
// it again once readable. It replaces Poco's HTTPServerConnection, which asks epoll whether the
// next request has arrived (an epoll instance created and closed per request: a third of kmsd's
// CPU in the encrypt benchmark) and looks up both socket addresses per request. Poco still
// parses every header and frames bodies.
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <string>

#include "kms/http/EventLoop.hpp"
#include "kms/http/ServerRequest.hpp"

namespace kms::http {

class ServerResponse;

class HttpConnection : public EventLoop::Connection {
 public:
  // Reads the socket's addresses once: throws Poco::Exception when the peer is already gone.
  HttpConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPRequestHandlerFactory& handlers,
                 Poco::Net::HTTPServerParams::Ptr params);

  Next serveReady(const std::atomic<bool>& stopping) override;
  [[nodiscard]] int descriptor() const override;

 private:
  // Poco's session, with what it has read ahead visible: a pipelined request already buffered
  // will not make the socket readable again.
  class Session : public Poco::Net::HTTPServerSession {
   public:
    using HTTPServerSession::buffered;
    using HTTPServerSession::HTTPServerSession;
  };

  // Answers one request; false when the connection must close after it.
  bool answer(ServerRequest& request, ServerResponse& response, bool stopping);
  [[nodiscard]] bool hasBufferedInput();
  void replyAndClose(int status, const std::string& reason);
  void lingerAndClose();

  Poco::Net::StreamSocket socket_;
  Poco::Net::HTTPRequestHandlerFactory& handlers_;
  Poco::Net::HTTPServerParams::Ptr params_;
  Session session_;
  ConnectionInfo info_;
};

}  // namespace kms::http
