#include "kms/http/ServerRequest.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <algorithm>

#include "kms/http/ConnectionInput.hpp"
#include "kms/http/RequestHead.hpp"
#include "kms/http/ServerResponse.hpp"

namespace kms::http {

ServerRequest::ServerRequest(ConnectionInput& input, ServerResponse& response, const ConnectionInfo& connection)
    : response_(response), connection_(connection), bodyBuffer_(input), body_(&bodyBuffer_) {
  RequestHead::parse(input.readHead(), *this);
  checkFraming();
  if (getChunkedTransferEncoding()) {
    bodyBuffer_.chunked();
  } else {
    // RFC 9112 section 6.3: a request with neither Content-Length nor chunked coding has no
    // body (Poco would read one until the peer closes, which ends keep-alive).
    bodyBuffer_.fixed(hasContentLength() ? static_cast<std::uint64_t>(getContentLength64()) : 0);
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
    // RFC 9112 section 6.1: an HTTP/1.0 message with Transfer-Encoding is faulty.
    if (getVersion() == HTTP_1_0) throw Poco::Net::MessageException("Transfer-Encoding in an HTTP/1.0 request");
    const auto count = std::count_if(
        begin(), end(), [](const auto& field) { return Poco::icompare(field.first, TRANSFER_ENCODING) == 0; });
    if (count > 1) throw Poco::Net::MessageException("repeated Transfer-Encoding");
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

}  // namespace kms::http
