#include "kms/http/ServerRequest.hpp"

#include <Poco/Net/HTTPChunkedStream.h>
#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPHeaderStream.h>

#include <array>

#include "kms/http/ServerResponse.hpp"

namespace kms::http {

ServerRequest::ServerRequest(Poco::Net::HTTPServerSession& session, ServerResponse& response,
                             const ConnectionInfo& connection)
    : response_(response), connection_(connection) {
  {
    Poco::Net::HTTPHeaderInputStream header(session);
    read(header);
  }
  if (getChunkedTransferEncoding()) {
    body_ = std::make_unique<Poco::Net::HTTPChunkedInputStream>(session);
  } else {
    // RFC 9112 section 6.3: a request with neither Content-Length nor chunked coding has no
    // body (Poco would read one until the peer closes, which ends keep-alive).
    const auto length = hasContentLength() ? getContentLength64() : 0;
    body_ = std::make_unique<Poco::Net::HTTPFixedLengthInputStream>(session, length);
  }
}

ServerRequest::~ServerRequest() = default;

Poco::Net::HTTPServerResponse& ServerRequest::response() const {
  return response_;
}

bool ServerRequest::discardBody(std::size_t limit) {
  std::array<char, 4096> scratch;  // NOLINT(cppcoreguidelines-pro-type-member-init): read into, per request
  std::size_t dropped = 0;
  while (*body_ && dropped <= limit) {
    body_->read(scratch.data(), scratch.size());
    dropped += static_cast<std::size_t>(body_->gcount());
  }
  return body_->eof() && !body_->bad() && dropped <= limit;
}

}  // namespace kms::http
