#pragma once
// Reads a request body into memory, never holding more than the limit + 1 bytes, whether the
// client declared a Content-Length or sends chunks.
#include <cstddef>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

#include "kms/net/InflightBudget.hpp"

namespace kms::http {

class BodyReader {
 public:
  // Throws kms::Exception(PayloadTooLarge) when the body is (or declares to be) larger
  // than `limit` bytes, kms::Exception(InvalidMessage) when it could not be read to its end
  // (bad framing, the request timeout, the peer closing), and with a `reservation` what it
  // throws when the budget cannot hold the body (before reading it, when its length is known).
  static std::string read(Poco::Net::HTTPServerRequest& request, std::size_t limit,
                          net::InflightBudget::Reservation* reservation = nullptr);
  // True when the request declares a body larger than `limit` (Content-Length only).
  static bool declaresMoreThan(const Poco::Net::HTTPServerRequest& request, std::size_t limit);
  // A body of at most this size that a handler left unread is dropped by the connection
  // (HttpConnection) when it has all arrived, and the connection serves the next request.
  static constexpr std::size_t kSkippableSize = std::size_t{64} * 1024;
  // True when a handler that answers without reading the body must close the connection
  // (say so in the response): the body is larger than kSkippableSize, or of unknown size.
  static bool tooLargeToSkip(const Poco::Net::HTTPServerRequest& request);
};

}  // namespace kms::http
