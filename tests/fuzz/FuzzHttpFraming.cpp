// kmsd's HTTP/1.1 request framing: the fuzz input is what a client sends on one connection
// (one or more pipelined requests, then end of stream), served by a real HttpConnection over a
// socket pair. That runs kmsd's own code on every byte: ConnectionInput (the connection's
// buffer and the request deadline), RequestHead (the strict head parser), ServerRequest (the
// Content-Length / Transfer-Encoding checks), BodyStreamBuf and BodyReader (fixed and chunked
// bodies, the body limit), dropping unread bodies, keep-alive and the 400-and-close path. The
// handlers are the smallest that use the body the way kmsd's do: POST reads it (as KmipHandler
// does), anything else leaves it unread (StatusHandler, kmsd's 404). KMIP decoding has its own
// targets; the store and the operations are not framing and stay out.
//
// A finding is a sanitizer report (ASan, UBSan, LeakSanitizer) or a connection that neither
// ends nor answers although its whole input is there (libFuzzer's -timeout). Exceptions are
// not: HttpConnection::run() ends the connection on any of them, as it must.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include "kms/Exception.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"
#include "kms/http/HttpConnection.hpp"
#include "kms/http/LingeringCloser.hpp"
#include "kms/http/StatusHandler.hpp"
#include "kms/net/ConnectionRegistry.hpp"

namespace {

// Small, so that inputs of a few KiB reach the "body too large" paths.
constexpr std::size_t kBodyLimit = 1024;

class ReadingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    try {
      const std::string body = kms::http::BodyReader::read(request, kBodyLimit);
      response.setContentType("text/plain");
      response.send() << body.size();
    } catch (const kms::Exception& error) {
      // As KmipHandler: a body refused before it was read to its end cannot be skipped.
      if (kms::http::BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
      kms::http::ErrorResponse::send(response, error);
    }
  }
};

class Handlers : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override {
    if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_POST) return new ReadingHandler;
    return new kms::http::StatusHandler(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "no such endpoint");
  }
};

// The client: writes the input, closes its sending side, and reads every answer until the
// server closes (so that the server never blocks on a full socket buffer).
void client(int fd, const std::uint8_t* data, std::size_t size) {
  std::array<char, 16384> scratch{};
  std::size_t written = 0;
  bool open = true;
  if (size == 0) (void)::shutdown(fd, SHUT_WR);
  while (open) {
    pollfd watch{fd, static_cast<short>(POLLIN | (written < size ? POLLOUT : 0)), 0};
    if (::poll(&watch, 1, 5000) <= 0) break;
    if ((watch.revents & POLLOUT) != 0 && written < size) {
      const auto sent = ::send(fd, data + written, size - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) written += static_cast<std::size_t>(sent);
      if (sent < 0 && errno != EAGAIN) written = size;  // the server stopped reading
      if (written == size) (void)::shutdown(fd, SHUT_WR);
    }
    if ((watch.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const auto got = ::recv(fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
      if (got == 0 || (got < 0 && errno != EAGAIN)) open = false;
    }
  }
  ::close(fd);
}

Poco::Net::HTTPServerParams::Ptr serverParams() {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(3, 0));  // the input is all there: nothing should ever wait
  params->setServerName("kms");
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::signal(SIGPIPE, SIG_IGN);  // as kmsd does
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Handlers handlers;
  static const Poco::Net::HTTPServerParams::Ptr params = serverParams();
  static kms::net::ConnectionRegistry registry;
  static kms::http::LingeringCloser closer;
  // The whole input is there at once: a request that is not complete within this time waits
  // for bytes that never come, and the deadline path ends it.
  static const kms::http::ConnectionSettings settings{handlers, params, registry, closer, std::chrono::seconds(3)};

  std::array<int, 2> fds{};
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds.data()) != 0) std::abort();
  std::thread peer(client, fds[1], data, size);
  {
    // The connection owns the server end and closes it when it is destroyed.
    kms::http::HttpConnection connection(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[0])), settings);
    connection.run();
  }
  peer.join();
  return 0;
}
