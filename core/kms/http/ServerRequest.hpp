#pragma once
// The request half of kmsd's HTTP/1.1 exchange (HttpConnection): the head is read from the
// connection's buffer and parsed strictly (RequestHead), the body framed by BodyStreamBuf; the
// connection's addresses are looked up once per connection, not once per request as Poco's
// HTTPServerRequestImpl does (two system calls each time).
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <istream>
#include <string>

#include "kms/http/BodyStreamBuf.hpp"

namespace kms::http {

class ConnectionInput;
class ServerResponse;

// What every request of one connection shares.
struct ConnectionInfo {
  Poco::Net::StreamSocket& socket;
  Poco::Net::SocketAddress client;
  Poco::Net::SocketAddress server;
  bool secure = false;
  Poco::Net::HTTPServerParams::Ptr params;
};

class ServerRequest : public Poco::Net::HTTPServerRequest {
 public:
  // Reads the request line and header from `input`. Throws Poco::Net::MessageException for a
  // malformed head or ambiguous body framing, RequestTimeout when the head did not arrive by
  // the request's deadline, PeerClosed, and Poco exceptions when the connection failed.
  ServerRequest(ConnectionInput& input, ServerResponse& response, const ConnectionInfo& connection);
  ~ServerRequest() override;

  std::istream& stream() override { return body_; }
  [[nodiscard]] const Poco::Net::SocketAddress& clientAddress() const override { return connection_.client; }
  [[nodiscard]] const Poco::Net::SocketAddress& serverAddress() const override { return connection_.server; }
  [[nodiscard]] const Poco::Net::HTTPServerParams& serverParams() const override { return *connection_.params; }
  [[nodiscard]] Poco::Net::HTTPServerResponse& response() const override;
  [[nodiscard]] bool secure() const override { return connection_.secure; }
  // The connection's socket: a SecureStreamSocket when secure() (mTLS reads the peer certificate).
  [[nodiscard]] Poco::Net::StreamSocket& socket() const { return connection_.socket; }

  // Drops what the handler left unread of the body when all of it, at most `limit` bytes, has
  // arrived already: nothing is waited for. True when the body is then read to its end, so the
  // next request on the connection starts where it should; false: the connection must close.
  bool skipBody(std::size_t limit) { return bodyBuffer_.skipArrived(limit); }
  // Why reading the body failed (framing, timeout, closed); empty while it has not.
  [[nodiscard]] const std::string& bodyFailure() const noexcept { return bodyBuffer_.failure(); }

 private:
  // Throws Poco::Net::MessageException (answered 400) unless the body's framing is one of:
  // none, one Content-Length of digits (repeated only with the same value), or chunked alone.
  void checkFraming() const;

  ServerResponse& response_;
  const ConnectionInfo& connection_;
  BodyStreamBuf bodyBuffer_;
  std::istream body_;
};

}  // namespace kms::http
