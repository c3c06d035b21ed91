// RequestHead: the strict reading of request lines and header fields that keeps kmsd and a
// proxy in front of it from splitting the same bytes into different requests (RFC 9112).
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>
#include <doctest/doctest.h>

#include <string>

#include "kms/http/RequestHead.hpp"

using kms::http::RequestHead;

namespace {

// The rule RequestHead names for `head`, or "" when it parses.
std::string refusal(const std::string& head) {
  Poco::Net::HTTPRequest request;
  try {
    RequestHead::parse(head, request);
  } catch (const Poco::Net::MessageException& error) {
    return error.message();
  }
  return {};
}

std::string withField(const std::string& field) {
  return "POST /kmip/2_1 HTTP/1.1\r\nHost: kms\r\n" + field + "\r\n\r\n";
}

}  // namespace

TEST_CASE("a well-formed head is parsed: method, target, version and fields, values trimmed") {
  Poco::Net::HTTPRequest request;
  RequestHead::parse(
      "POST /kmip/2_1?x=1 HTTP/1.1\r\nHost: kms\r\nContent-Length: \t42 \r\nX-Empty:\r\nX-Text: a b\x80\xff\r\n\r\n",
      request);
  CHECK(request.getMethod() == "POST");
  CHECK(request.getURI() == "/kmip/2_1?x=1");
  CHECK(request.getVersion() == "HTTP/1.1");
  CHECK(request.get("content-length") == "42");
  CHECK(request.get("X-Empty") == "");
  CHECK(request.get("X-Text") == "a b\x80\xff");  // obs-text is allowed in values
  CHECK(refusal("GET / HTTP/1.0\r\n\r\n").empty());
}

TEST_CASE("header lines that parsers read differently are refused") {
  CHECK(refusal(withField("Content-Length : 5")) == "invalid header field name");
  CHECK(refusal(withField("Content-Length\t: 5")) == "invalid header field name");
  CHECK(refusal(withField("Content Length: 5")) == "invalid header field name");
  CHECK(refusal(withField("Content-Length(1): 5")) == "invalid header field name");
  CHECK(refusal(withField(": 5")) == "invalid header field name");
  CHECK(refusal(withField("Content-Length 5")) == "header line without a colon");
  CHECK(refusal(withField("X-A: a\r\n b")) == "obsolete line folding in a header field");
  CHECK(refusal(withField("X-A: a\r\n\tb")) == "obsolete line folding in a header field");
  CHECK(refusal(withField("X-A: a\rContent-Length: 5")) == "control character in a header field value");
  CHECK(refusal(withField(std::string("X-A: a\0b", 8))) == "control character in a header field value");
  CHECK(refusal(withField("X-A: a\x7f")) == "control character in a header field value");
  CHECK(refusal(withField(std::string(257, 'n') + ": v")) == "header field name too long");
  CHECK(refusal(withField("X-A: " + std::string(8193, 'v'))) == "header field value too long");
  CHECK(refusal(withField("X-A: " + std::string(8192, 'v'))).empty());
  std::string many;
  for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  CHECK(refusal("GET / HTTP/1.1\r\n" + many + "\r\n").empty());
  CHECK(refusal("GET / HTTP/1.1\r\n" + many + "X-More: v\r\n\r\n") == "too many header fields");
}

TEST_CASE("request lines other than 'method SP target SP HTTP/1.x' are refused") {
  const auto line = [](const std::string& text) { return refusal(text + "\r\nHost: kms\r\n\r\n"); };
  CHECK(line("GET  / HTTP/1.1") == "invalid request target");
  CHECK(line("GET /  HTTP/1.1") == "unsupported HTTP version");
  CHECK(line("GET / HTTP/1.1 ") == "unsupported HTTP version");
  CHECK(line("GET /\tHTTP/1.1") == "request line is not 'method target version'");
  CHECK(line("GET / HTTP/2.0") == "unsupported HTTP version");
  CHECK(line("GET / http/1.1") == "unsupported HTTP version");
  CHECK(line("GE(T / HTTP/1.1") == "invalid method");
  CHECK(line(" GET / HTTP/1.1") == "invalid method");
  CHECK(line(std::string(33, 'G') + " / HTTP/1.1") == "method too long");
  CHECK(line("GET /a\x80 HTTP/1.1") == "invalid request target");
  CHECK(line("GET /" + std::string(16384, 'a') + " HTTP/1.1") == "URI too long");
  CHECK(line("GET /" + std::string(16383, 'a') + " HTTP/1.1").empty());
  CHECK(line("GET /a\rb HTTP/1.1") == "invalid request target");
  CHECK(line("GET / HTTP/1.1\rX") == "unsupported HTTP version");
  CHECK(line("GET") == "request line is not 'method target version'");
}
