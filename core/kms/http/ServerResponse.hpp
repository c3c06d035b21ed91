#pragma once
// The response half of kmsd's HTTP/1.1 exchange (HttpConnection). Poco's HTTPServerResponseImpl
// writes the header and the body with two send() calls; on these machines a system call is the
// dearest thing a small request pays for (docs/benchmarks.md), so the header and a body of up
// to kCoalesceLimit bytes leave in one.
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <memory>
#include <sstream>
#include <string>

namespace kms::http {

class ServerResponse : public Poco::Net::HTTPServerResponse {
 public:
  static constexpr std::size_t kCoalesceLimit = std::size_t{64} * 1024;

  explicit ServerResponse(Poco::Net::StreamSocket& socket);

  // No body on the wire (the request was HEAD); the headers still say its length.
  void omitBody() noexcept { omitBody_ = true; }

  void sendContinue() override;
  // The body is buffered and leaves when the handler returns (complete()), with its length.
  std::ostream& send() override;
  void sendFile(const std::string& path, const std::string& mediaType) override;
  void sendBuffer(const void* buffer, std::size_t length) override;
  void redirect(const std::string& uri, HTTPStatus status = HTTP_FOUND) override;
  void requireAuthentication(const std::string& realm) override;
  [[nodiscard]] bool sent() const override { return sent_ || streamed_ != nullptr; }

  // Sends what send() buffered, or an empty body when the handler sent nothing at all.
  void complete();
  // Poco's write(std::ostream&) (the header as text) stays visible beside the private one.
  using Poco::Net::HTTPServerResponse::write;

 private:
  void write(const char* data, std::size_t length);

  Poco::Net::StreamSocket& socket_;
  std::unique_ptr<std::ostringstream> streamed_;
  bool sent_ = false;
  bool omitBody_ = false;
};

}  // namespace kms::http
