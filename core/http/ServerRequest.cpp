#include "kms/http/ServerRequest.hpp"

#include <Poco/Net/HTTPChunkedStream.h>
#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPHeaderStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <algorithm>
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
  checkFraming();
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

void ServerRequest::checkFraming() const {
  // Where a body ends must be unambiguous, or a proxy in front of kmsd and kmsd could disagree
  // on where the next request starts (request smuggling, RFC 9112 sections 6.1 and 6.3).
  if (has(TRANSFER_ENCODING)) {
    if (Poco::icompare(Poco::trim(get(TRANSFER_ENCODING)), CHUNKED_TRANSFER_ENCODING) != 0) {
      throw Poco::Net::MessageException("unsupported Transfer-Encoding");
    }
    if (has(CONTENT_LENGTH)) throw Poco::Net::MessageException("both Transfer-Encoding and Content-Length");
    return;
  }
  if (!has(CONTENT_LENGTH)) return;
  const std::string& length = get(CONTENT_LENGTH);
  for (auto it = find(CONTENT_LENGTH); it != end() && Poco::icompare(it->first, CONTENT_LENGTH) == 0; ++it) {
    if (it->second != length) throw Poco::Net::MessageException("conflicting Content-Length fields");
  }
  const bool digits = !length.empty() && length.size() <= 18 &&
                      std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) throw Poco::Net::MessageException("invalid Content-Length");
}

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
