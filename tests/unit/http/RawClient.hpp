#pragma once
// A client over a raw socket, so that a test controls every byte the server receives.
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace kms::http::test {

struct Answer {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse header;
};

class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(Poco::Net::SocketAddress("127.0.0.1", port)), in_(socket_) {
    socket_.setReceiveTimeout(Poco::Timespan(10, 0));
  }

  void write(const std::string& bytes) { socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size())); }

  // One response: its header, then a body of Content-Length bytes (none when `headOnly`).
  Answer read(bool headOnly = false) {
    Answer answer;
    answer.header.read(in_);
    answer.status = answer.header.getStatus();
    if (!headOnly && answer.header.hasContentLength()) {
      answer.body.resize(static_cast<std::size_t>(answer.header.getContentLength64()));
      in_.read(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
      REQUIRE(in_.gcount() == static_cast<std::streamsize>(answer.body.size()));
    }
    return answer;
  }

  // True when the server closed the connection (end of stream within the receive timeout).
  bool closedByServer() { return in_.peek() == std::char_traits<char>::eof(); }

 private:
  Poco::Net::StreamSocket socket_;
  Poco::Net::SocketInputStream in_;
};

}  // namespace kms::http::test
