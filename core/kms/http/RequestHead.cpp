#include "kms/http/RequestHead.hpp"

#include <Poco/Net/NetException.h>

#include <array>
#include <string>

namespace kms::http {
namespace {

constexpr std::size_t kMaxMethod = 32;
constexpr std::size_t kMaxTarget = std::size_t{16} * 1024;
constexpr std::size_t kMaxName = 256;  // Poco::Net::MessageHeader's limits
constexpr std::size_t kMaxValue = 8192;

// tchar (RFC 9110 section 5.6.2): the characters of methods and field names.
constexpr auto kToken = [] {
  std::array<bool, 256> token{};
  for (int c = '0'; c <= '9'; ++c) token[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) token[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) token[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) token[static_cast<unsigned char>(c)] = true;
  return token;
}();

bool isToken(std::string_view text) noexcept {
  for (char c : text) {
    if (!kToken[static_cast<unsigned char>(c)]) return false;
  }
  return !text.empty();
}

// field-vchar, SP and HTAB (RFC 9110 section 5.5): no control character but HTAB.
bool isFieldValue(std::string_view text) noexcept {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

// A request-target as sent by clients: visible ASCII only (RFC 3986 characters and the few
// others clients leave unescaped); no space, control or non-ASCII byte.
bool isTarget(std::string_view text) noexcept {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return !text.empty();
}

[[noreturn]] void refuse(const char* rule) {
  throw Poco::Net::MessageException(rule);
}

void parseRequestLine(std::string_view line, Poco::Net::HTTPRequest& request) {
  const auto firstSpace = line.find(' ');
  if (firstSpace == std::string_view::npos) refuse("request line is not 'method target version'");
  const std::string_view method = line.substr(0, firstSpace);
  const std::string_view rest = line.substr(firstSpace + 1);
  const auto secondSpace = rest.find(' ');
  if (secondSpace == std::string_view::npos) refuse("request line is not 'method target version'");
  const std::string_view target = rest.substr(0, secondSpace);
  const std::string_view version = rest.substr(secondSpace + 1);
  if (method.size() > kMaxMethod) refuse("method too long");
  if (!isToken(method)) refuse("invalid method");
  if (target.size() > kMaxTarget) refuse("URI too long");
  if (!isTarget(target)) refuse("invalid request target");
  if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0) {
    refuse("unsupported HTTP version");
  }
  request.setMethod(std::string(method));
  request.setURI(std::string(target));
  request.setVersion(std::string(version));
}

}  // namespace

void RequestHead::splitField(std::string_view line, std::string_view& name, std::string_view& value) {
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    refuse("obsolete line folding in a header field");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) refuse("header line without a colon");
  name = line.substr(0, colon);
  if (name.size() > kMaxName) refuse("header field name too long");
  // Whitespace before the colon included (RFC 9112 section 5.1: MUST be rejected with 400).
  if (!isToken(name)) refuse("invalid header field name");
  value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.size() > kMaxValue) refuse("header field value too long");
  if (!isFieldValue(value)) refuse("control character in a header field value");
}

void RequestHead::parse(std::string_view head, Poco::Net::HTTPRequest& request) {
  // Every line ends with CRLF (ConnectionInput checked each LF); a CR elsewhere is a control
  // character and refused where it stands.
  std::size_t at = head.find("\r\n");
  parseRequestLine(head.substr(0, at), request);
  std::size_t fields = 0;
  for (;;) {
    const std::size_t start = at + 2;
    at = head.find("\r\n", start);
    if (at == std::string_view::npos || at == start) break;  // the empty line ends the head
    if (++fields > kMaxFields) refuse("too many header fields");
    std::string_view name;
    std::string_view value;
    splitField(head.substr(start, at - start), name, value);
    request.add(std::string(name), std::string(value));
  }
}

}  // namespace kms::http
