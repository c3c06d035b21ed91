#include "kms/integrations/aws_xks/SigV4.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <stdexcept>

namespace kms::integrations::aws_xks {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kUpperHex = "0123456789ABCDEF";

bool unreserved(unsigned char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
         ch == '_' || ch == '~';
}

std::string uriEncode(std::string_view text, bool keepSlash) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto ch = static_cast<unsigned char>(c);
    if (unreserved(ch) || (keepSlash && ch == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[ch >> 4]);
      out.push_back(kUpperHex[ch & 15]);
    }
  }
  return out;
}

int hexValue(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

// Query components arrive encoded by the client's own rules: decode, then encode canonically.
std::string uriDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// SHA-256 and HMAC fetched once: the one-shot SHA256() and HMAC() fetch them from the provider on
// every call, which costs more than hashing an XKS request.
const EVP_MD* sha256Method() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw std::runtime_error("SHA-256 is not available");
  return md;
}

// An HMAC-SHA256 context without a key, duplicated per MAC: the digest parameter is set once.
const EVP_MAC_CTX* hmacTemplate() {
  static EVP_MAC_CTX* const ctx = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* out = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);  // the context holds its own reference
    std::array<char, 7> digest{"SHA256"};
    const std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
                                           OSSL_PARAM_construct_end()};
    if (out != nullptr && EVP_MAC_CTX_set_params(out, params.data()) != 1) {
      EVP_MAC_CTX_free(out);
      out = nullptr;
    }
    return out;
  }();
  if (ctx == nullptr) throw std::runtime_error("HMAC-SHA256 is not available");
  return ctx;
}

SigV4::Digest hmac(const std::uint8_t* key, std::size_t keySize, std::string_view data) {
  SigV4::Digest out{};
  std::size_t size = 0;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(hmacTemplate());
  const bool ok = ctx != nullptr && EVP_MAC_init(ctx, key, keySize, nullptr) == 1 &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
                  EVP_MAC_final(ctx, out.data(), &size, out.size()) == 1 && size == out.size();
  EVP_MAC_CTX_free(ctx);  // cleanses the key schedule
  if (!ok) throw std::runtime_error("HMAC-SHA256 failed");
  return out;
}

}  // namespace

std::string SigV4::hex(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHexDigits[data[i] >> 4]);
    out.push_back(kHexDigits[data[i] & 15]);
  }
  return out;
}

std::string SigV4::canonicalUri(std::string_view path) {
  if (path.empty()) return "/";
  return uriEncode(path, true);
}

std::string SigV4::canonicalQuery(std::string_view query) {
  if (query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view item = query.substr(start, end - start);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      const std::string_view name = item.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
      params.emplace_back(uriEncode(uriDecode(name), false), uriEncode(uriDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string SigV4::canonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char ch : value) {
    if (ch == ' ' || ch == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(ch);
  }
  return out;
}

std::string SigV4::canonicalRequest(std::string_view method, std::string_view path, std::string_view query,
                                    const std::vector<Header>& headers, std::string_view signedHeaders,
                                    std::string_view payloadHashHex) {
  std::string out;
  out.reserve(256);
  out.append(method).append("\n");
  out.append(canonicalUri(path)).append("\n");
  out.append(canonicalQuery(query)).append("\n");
  for (const auto& [name, value] : headers) {
    out.append(name).append(":").append(canonicalHeaderValue(value)).append("\n");
  }
  out.append("\n").append(signedHeaders).append("\n").append(payloadHashHex);
  return out;
}

std::string SigV4::stringToSign(std::string_view amzDate, std::string_view scope, std::string_view canonicalRequest) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out.append(amzDate).append("\n").append(scope).append("\n").append(sha256Hex(canonicalRequest));
  return out;
}

SigV4::Digest SigV4::signingKey(std::string_view secret, std::string_view date, std::string_view region,
                                std::string_view service) {
  std::string first = "AWS4";
  first.append(secret);
  Digest key = hmac(reinterpret_cast<const std::uint8_t*>(first.data()), first.size(), date);
  OPENSSL_cleanse(first.data(), first.size());
  key = hmac(key.data(), key.size(), region);
  key = hmac(key.data(), key.size(), service);
  return hmac(key.data(), key.size(), "aws4_request");
}

std::string SigV4::signature(const Digest& signingKey, std::string_view stringToSign) {
  const Digest mac = hmac(signingKey.data(), signingKey.size(), stringToSign);
  return hex(mac.data(), mac.size());
}

std::string SigV4::sha256Hex(std::string_view data) {
  Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, sha256Method(), nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(digest.data(), digest.size());
}

}  // namespace kms::integrations::aws_xks
