#include "kms/integrations/aws_xks/SigV4Verifier.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "kms/integrations/aws_xks/XksError.hpp"

namespace kms::integrations::aws_xks {
namespace {

[[noreturn]] void fail(const std::string& reason) {
  throw XksError(XksErrorName::AuthenticationFailedException, reason);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// yyyymmddThhmmssZ -> time; false when malformed.
bool parseAmzDate(std::string_view text, std::chrono::system_clock::time_point& out) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return false;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && std::isdigit(static_cast<unsigned char>(text[i])) == 0) return false;
  }
  const auto num = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return false;
  }
  out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

}  // namespace

SigV4Verifier::SigV4Verifier(std::vector<SigV4Credential> credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)),
      signingKeys_(credentials_.size()) {}

SigV4Verifier::Authorization SigV4Verifier::precheck(std::string_view authorization, std::string_view amzDate,
                                                     std::chrono::system_clock::time_point now) const {
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
  if (authorization.empty()) fail("no Authorization header");
  if (!authorization.starts_with(kAlgorithm)) fail("Authorization is not AWS4-HMAC-SHA256");
  Authorization out;
  std::string_view credential;
  std::string_view rest = authorization.substr(kAlgorithm.size());
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.starts_with("Credential=")) {
      credential = item.substr(11);
    } else if (item.starts_with("SignedHeaders=")) {
      out.signedHeaders = item.substr(14);
    } else if (item.starts_with("Signature=")) {
      out.signature = item.substr(10);
    }
  }
  if (credential.empty() || out.signedHeaders.empty() || out.signature.empty()) {
    fail("Authorization lacks Credential, SignedHeaders or Signature");
  }
  // <access key id>/<yyyymmdd>/<region>/<service>/aws4_request
  const std::size_t slash = credential.find('/');
  if (slash == std::string_view::npos) fail("malformed Credential");
  out.accessKeyId = credential.substr(0, slash);
  out.scope = credential.substr(slash + 1);
  out.date = out.scope.substr(0, out.scope.find('/'));
  const std::string expectedScope = out.date + "/" + region_ + "/" + service_ + "/aws4_request";
  if (out.scope != expectedScope) fail("credential scope is not <date>/" + region_ + "/" + service_ + "/aws4_request");
  for (const auto& candidate : credentials_) {
    if (candidate.accessKeyId == out.accessKeyId) out.credential = &candidate;
  }
  if (out.credential == nullptr) fail("unknown access key id");
  if (out.signature.size() != 64 || !std::all_of(out.signature.begin(), out.signature.end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      })) {
    fail("Signature is not 64 lower-case hex digits");
  }
  std::chrono::system_clock::time_point signedAt;
  if (!parseAmzDate(amzDate, signedAt)) fail("X-Amz-Date missing or not yyyymmddThhmmssZ");
  if (amzDate.substr(0, 8) != out.date) fail("X-Amz-Date and the credential scope name different days");
  const auto skew = now > signedAt ? now - signedAt : signedAt - now;
  if (skew > kAllowedSkew) fail("X-Amz-Date is more than 5 minutes away from the server's clock");
  // The names, which must be lower case and include host and x-amz-date (the XKS signer's).
  std::string_view names = out.signedHeaders;
  while (!names.empty()) {
    const std::size_t semi = names.find(';');
    out.signedHeaderNames.emplace_back(names.substr(0, semi));
    names = semi == std::string_view::npos ? std::string_view{} : names.substr(semi + 1);
  }
  const auto& list = out.signedHeaderNames;
  if (std::find(list.begin(), list.end(), "host") == list.end() ||
      std::find(list.begin(), list.end(), "x-amz-date") == list.end()) {
    fail("SignedHeaders must include host and x-amz-date");
  }
  return out;
}

void SigV4Verifier::verify(const Authorization& authorization, std::string_view method, std::string_view path,
                           std::string_view query, const std::vector<SigV4::Header>& headers, std::string_view amzDate,
                           std::string_view body) const {
  std::vector<SigV4::Header> signedHeaders;
  signedHeaders.reserve(authorization.signedHeaderNames.size());
  for (const auto& name : authorization.signedHeaderNames) {
    std::string value;
    bool found = false;
    for (const auto& [headerName, headerValue] : headers) {
      if (!equalsIgnoreCase(headerName, name)) continue;
      if (found) value.push_back(',');
      value.append(trim(headerValue));
      found = true;
    }
    if (!found) fail("signed header " + name + " is missing");
    signedHeaders.emplace_back(name, std::move(value));
  }
  const std::string canonical =
      SigV4::canonicalRequest(method, path, query, signedHeaders, authorization.signedHeaders, SigV4::sha256Hex(body));
  const std::string toSign = SigV4::stringToSign(amzDate, authorization.scope, canonical);
  const auto index = static_cast<std::size_t>(authorization.credential - credentials_.data());
  SigV4::Digest key =
      signingKeys_.get(index, authorization.credential->secretAccessKey, authorization.date, region_, service_);
  const std::string expected = SigV4::signature(key, toSign);
  OPENSSL_cleanse(key.data(), key.size());
  if (CRYPTO_memcmp(expected.data(), authorization.signature.data(), expected.size()) != 0) {
    fail("signature mismatch");
  }
}

}  // namespace kms::integrations::aws_xks
