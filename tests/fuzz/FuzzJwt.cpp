// Bearer tokens as kmsd's JwtAuthenticator sees them: one provider whose JWKS (a file written
// at start) holds an HS256 secret, an RSA key and a P-256 key. The first input byte picks how
// the rest is used:
//   even: the rest is the token, as sent (malformed tokens, algorithm confusion, "none", ...);
//   odd:  the rest is "<header JSON>\n<payload JSON>": the harness encodes both and signs them
//         with the HS256 secret, so that mutations reach the claim checks behind the signature
//         (exp, nbf, aud, the user claim), which a fuzzer could never sign for itself.
// authenticate() returns a user, nothing (not a JWT: an API token) or throws
// AuthenticationError (answered 401); anything else is a finding. A user is only ever
// returned for a token the harness signed.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kms/auth/AuthenticationError.hpp"
#include "kms/auth/Credentials.hpp"
#include "kms/auth/JwtAuthenticator.hpp"

namespace {

const std::string kIssuer = "https://idp.fuzz";
const std::string kSecret = "fuzzing secret of thirty-two byt";

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : bytes) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3F];
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3F];
  return out;
}

std::string bignumParameter(EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) std::abort();
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(value)), '\0');
  BN_bn2bin(value, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(value);
  return base64url(bytes);
}

std::string jwks() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!rsa || !ec) std::abort();
  return R"({"keys": [{"kty": "oct", "kid": "hs", "k": ")" + base64url(kSecret) +
         R"("}, {"kty": "RSA", "kid": "rsa", "n": ")" + bignumParameter(rsa.get(), OSSL_PKEY_PARAM_RSA_N) +
         R"(", "e": ")" + bignumParameter(rsa.get(), OSSL_PKEY_PARAM_RSA_E) +
         R"("}, {"kty": "EC", "kid": "ec", "crv": "P-256", "x": ")" +
         bignumParameter(ec.get(), OSSL_PKEY_PARAM_EC_PUB_X) + R"(", "y": ")" +
         bignumParameter(ec.get(), OSSL_PKEY_PARAM_EC_PUB_Y) + R"("}]})";
}

std::string hs256(std::string_view signingInput) {
  std::array<unsigned char, 32> mac{};
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kSecret.data(), kSecret.size(),
                reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size(), mac.data(),
                mac.size(), &length) == nullptr) {
    std::abort();
  }
  return base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), length));
}

std::filesystem::path& directory() {
  static std::filesystem::path path;
  return path;
}

void removeDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(directory(), ignored);
}

std::unique_ptr<kms::auth::JwtAuthenticator>& authenticator() {
  static std::unique_ptr<kms::auth::JwtAuthenticator> instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = (std::filesystem::temp_directory_path() / "kms-fuzz-jwt-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  directory() = pattern;
  std::atexit(removeDirectory);
  const auto path = directory() / "jwks.json";
  std::ofstream(path) << jwks();
  const kms::config::JwtProvider provider{kIssuer, path.string(), {"kms", "other"}};
  // Refetches (a token naming an unknown kid) at most once an hour: every run sees one key set.
  authenticator() =
      std::make_unique<kms::auth::JwtAuthenticator>(std::vector{provider}, "email", std::chrono::seconds(3600));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool sign = (data[0] & 1) != 0;
  kms::auth::Credentials credentials;
  if (sign) {
    const auto newline = rest.find('\n');
    const std::string_view header = rest.substr(0, newline);
    const std::string_view payload = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    const std::string signingInput = base64url(header) + "." + base64url(payload);
    credentials.bearer = signingInput + "." + hs256(signingInput);
  } else {
    credentials.bearer = std::string(rest);
  }
  try {
    const auto user = authenticator()->authenticate(credentials);
    if (user && !sign) std::abort();  // a token nobody signed was accepted
  } catch (const kms::auth::AuthenticationError&) {
    // 401
  }
  return 0;
}
