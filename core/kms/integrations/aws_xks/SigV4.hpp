#pragma once
// The pieces of AWS Signature Version 4 (AWS General Reference, "Create a signed AWS API
// request"): canonical request, string to sign, signing key and signature. Free of HTTP types,
// so that unit tests run them on AWS's published examples.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::integrations::aws_xks {

class SigV4 {
 public:
  using Digest = std::array<std::uint8_t, 32>;
  // One signed header: lower-case name, and its values as received (several joined by ',').
  using Header = std::pair<std::string, std::string>;

  // The path as sent, URI-encoded the way AWS SDKs do for services other than S3: every byte
  // but A-Z a-z 0-9 - . _ ~ / becomes %XX (so an escape already in the path is encoded again).
  // An empty path is "/".
  [[nodiscard]] static std::string canonicalUri(std::string_view path);
  // Parameters sorted by encoded name, then value; "" for no query.
  [[nodiscard]] static std::string canonicalQuery(std::string_view query);
  // Leading and trailing spaces removed, inner runs of spaces made one.
  [[nodiscard]] static std::string canonicalHeaderValue(std::string_view value);
  // `headers` in the order of SignedHeaders (which the signer sorted).
  [[nodiscard]] static std::string canonicalRequest(std::string_view method, std::string_view path,
                                                    std::string_view query, const std::vector<Header>& headers,
                                                    std::string_view signedHeaders, std::string_view payloadHashHex);
  [[nodiscard]] static std::string stringToSign(std::string_view amzDate, std::string_view scope,
                                                std::string_view canonicalRequest);
  [[nodiscard]] static Digest signingKey(std::string_view secret, std::string_view date, std::string_view region,
                                         std::string_view service);
  // Lower-case hex of HMAC-SHA256(signingKey, stringToSign).
  [[nodiscard]] static std::string signature(const Digest& signingKey, std::string_view stringToSign);
  [[nodiscard]] static std::string sha256Hex(std::string_view data);
  [[nodiscard]] static std::string hex(const std::uint8_t* data, std::size_t size);
};

}  // namespace kms::integrations::aws_xks
