#include "kms/http/ServerResponse.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>

#include <string_view>

namespace kms::http {

ServerResponse::ServerResponse(Poco::Net::StreamSocket& socket) : socket_(socket) {}

void ServerResponse::write(const char* data, std::size_t length) {
  while (length > 0) {
    const int chunk = static_cast<int>(std::min<std::size_t>(length, 1U << 30));
    const int sent = socket_.sendBytes(data, chunk);
    if (sent <= 0) throw Poco::Net::NetException("the connection closed while the response was sent");
    data += sent;
    length -= static_cast<std::size_t>(sent);
  }
}

void ServerResponse::sendContinue() {
  constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  write(kContinue.data(), kContinue.size());
}

std::ostream& ServerResponse::send() {
  if (sent()) throw Poco::IllegalStateException("the response has been sent already");
  streamed_ = std::make_unique<std::ostringstream>();
  return *streamed_;
}

void ServerResponse::sendFile(const std::string&, const std::string&) {
  throw Poco::NotImplementedException("kmsd serves no files");
}

void ServerResponse::sendBuffer(const void* buffer, std::size_t length) {
  if (sent_) throw Poco::IllegalStateException("the response has been sent already");
  sent_ = true;
  setChunkedTransferEncoding(false);
  setContentLength64(static_cast<Poco::Int64>(length));
  std::ostringstream header;
  HTTPResponse::write(header);
  std::string out = std::move(header).str();
  const auto* body = static_cast<const char*>(buffer);
  if (omitBody_ || length == 0) {
    write(out.data(), out.size());
  } else if (length <= kCoalesceLimit) {
    out.append(body, length);
    write(out.data(), out.size());
  } else {
    write(out.data(), out.size());
    write(body, length);
  }
}

void ServerResponse::redirect(const std::string& uri, HTTPStatus status) {
  setStatusAndReason(status);
  set("Location", uri);
  sendBuffer(nullptr, 0);
}

void ServerResponse::requireAuthentication(const std::string& realm) {
  setStatusAndReason(HTTP_UNAUTHORIZED);
  set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
  sendBuffer(nullptr, 0);
}

void ServerResponse::complete() {
  if (sent_) return;
  if (streamed_) {
    const std::string body = std::move(*streamed_).str();
    streamed_.reset();
    sendBuffer(body.data(), body.size());
  } else {
    sendBuffer(nullptr, 0);
  }
}

}  // namespace kms::http
