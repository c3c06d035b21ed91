#include "kms/auth/ApiTokens.hpp"

#include <Poco/Base64Encoder.h>
#include <fmt/format.h>

#include <sstream>

#include "kms/Exception.hpp"
#include "kms/auth/AuthenticationError.hpp"
#include "kms/keys/ConstantTime.hpp"
#include "kms/keys/Digest.hpp"
#include "kms/keys/Random.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::auth {
namespace {

constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kIdDigits = 2 * kIdBytes;
constexpr std::size_t kSecretChars = 43;  // base64url of 32 bytes, unpadded

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
  }
  return out;
}

std::string base64url(std::span<const std::uint8_t> bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

bool isHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool isBase64url(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

kms::SecureBytes hashOf(std::string_view secret) {
  return keys::Digest::sha256(keys::ByteView(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
}

}  // namespace

ApiTokens::ApiTokens(store::TokenStore& store) : store_(store) {}

IssuedToken ApiTokens::issue(const std::string& user) {
  const auto secret = keys::Random::secretBytes(kSecretBytes);
  IssuedToken issued;
  issued.id = hex(keys::Random::bytes(kIdBytes));
  const std::string secretText = base64url(std::span<const std::uint8_t>(secret.data(), secret.size()));
  issued.token = fmt::format("{}{}.{}", kPrefix, issued.id, secretText);
  store::ApiTokenRecord record;
  record.id = issued.id;
  record.user = user;
  record.hash = hashOf(secretText);
  store_.insertToken(record);
  return issued;
}

bool ApiTokens::revoke(const std::string& id) {
  return store_.revokeToken(id);
}

std::vector<store::ApiTokenRecord> ApiTokens::list() {
  return store_.listTokens();
}

std::string ApiTokens::verify(std::string_view token) {
  if (!looksLikeToken(token)) throw AuthenticationError("not an API token");
  token.remove_prefix(kPrefix.size());
  const auto dot = token.find('.');
  if (dot != kIdDigits || token.size() != kIdDigits + 1 + kSecretChars || !isHex(token.substr(0, dot)) ||
      !isBase64url(token.substr(dot + 1))) {
    throw AuthenticationError("malformed API token");
  }
  const std::string id(token.substr(0, dot));
  const auto record = store_.findToken(id);
  // An unknown id costs the same hash as a known one, so timing tells nothing either way.
  const auto presented = hashOf(token.substr(dot + 1));
  if (!record) throw AuthenticationError(fmt::format("unknown API token {}", id));
  if (!keys::constantTimeEquals(presented, record->hash)) {
    throw AuthenticationError(fmt::format("wrong secret for API token {}", id));
  }
  if (record->revokedMicros) throw AuthenticationError(fmt::format("revoked API token {}", id));
  return record->user;
}

}  // namespace kms::auth
