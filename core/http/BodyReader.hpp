#pragma once
// Reads a request body into memory, never holding more than the limit + 1 bytes, whether the
// client declared a Content-Length or sends chunks.
#include <cstddef>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace kms::http {

class BodyReader {
 public:
  // Throws kms::Exception(PayloadTooLarge) when the body is (or declares to be) larger
  // than `limit` bytes.
  static std::string read(Poco::Net::HTTPServerRequest& request, std::size_t limit);
  // True when the request declares a body larger than `limit` (Content-Length only).
  static bool declaresMoreThan(const Poco::Net::HTTPServerRequest& request, std::size_t limit);
  // True when a body may follow the headers: after answering without reading it, the
  // connection must close, or its bytes would be taken for the next request.
  static bool mayHaveBody(const Poco::Net::HTTPServerRequest& request);
};

}  // namespace kms::http
