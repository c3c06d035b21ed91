#pragma once
// The request half of kmsd's HTTP/1.1 exchange (HttpConnection): Poco parses the header (with
// its limits on method, URI, field count and sizes) and frames the body; the connection's
// addresses are looked up once per connection, not once per request as Poco's
// HTTPServerRequestImpl does (two system calls each time).
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <istream>
#include <memory>

namespace kms::http {

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
  // Reads the request line and header from `session`. Throws Poco::Net::NoMessageException when
  // the peer closed before sending anything, Poco::Net::MessageException for a malformed header
  // or ambiguous body framing, and other Poco exceptions (timeout, reset) when the connection
  // failed.
  ServerRequest(Poco::Net::HTTPServerSession& session, ServerResponse& response, const ConnectionInfo& connection);
  ~ServerRequest() override;

  std::istream& stream() override { return *body_; }
  [[nodiscard]] const Poco::Net::SocketAddress& clientAddress() const override { return connection_.client; }
  [[nodiscard]] const Poco::Net::SocketAddress& serverAddress() const override { return connection_.server; }
  [[nodiscard]] const Poco::Net::HTTPServerParams& serverParams() const override { return *connection_.params; }
  [[nodiscard]] Poco::Net::HTTPServerResponse& response() const override;
  [[nodiscard]] bool secure() const override { return connection_.secure; }
  // The connection's socket: a SecureStreamSocket when secure() (mTLS reads the peer certificate).
  [[nodiscard]] Poco::Net::StreamSocket& socket() const { return connection_.socket; }

  // Reads and drops what the handler left unread of the body, at most `limit` bytes. True when
  // the body ended there, so the next request on the connection starts where it should.
  bool discardBody(std::size_t limit);

 private:
  // Throws Poco::Net::MessageException (answered 400) unless the body's framing is one of:
  // none, one Content-Length of digits (repeated only with the same value), or chunked alone.
  void checkFraming() const;

  ServerResponse& response_;
  const ConnectionInfo& connection_;
  std::unique_ptr<std::istream> body_;
};

}  // namespace kms::http
