#pragma once
// The request line and header fields of an HTTP/1.1 request, read strictly (RFC 9112 sections
// 3 and 5): whatever one parser could read differently from another is refused, because a proxy
// in front of kmsd that reads a line one way and kmsd the other way disagree on where a request
// ends, and the rest of a body then runs as a request of its own (request smuggling). Refused:
// whitespace between a field name and its colon, names with characters outside token, obs-fold
// continuation lines, lines without a colon, control characters (a bare CR, NUL) anywhere, and
// request lines not of the form `method SP target SP HTTP/1.x`. Lengths are Poco's: method 32,
// target 16 KiB, name 256, value 8 KiB, 100 fields.
#include <Poco/Net/HTTPRequest.h>

#include <string_view>

namespace kms::http {

class RequestHead {
 public:
  static constexpr std::size_t kMaxFields = 100;

  // Parses `head` (as ConnectionInput::readHead() returns it: lines ended by CRLF, the last one
  // empty) into `request`. Throws Poco::Net::MessageException naming the rule broken, never
  // quoting the request.
  static void parse(std::string_view head, Poco::Net::HTTPRequest& request);
  // One `name: value` line without its CRLF (a header field or a chunked trailer): checks it
  // and returns the name and the value without its surrounding whitespace.
  static void splitField(std::string_view line, std::string_view& name, std::string_view& value);
};

}  // namespace kms::http
