// JWKS documents (what kmsd fetches from an OIDC provider's jwks_uri): JwksCache::parse and
// JwkKey::fromJson on every key, then each key accepted verifies a few fixed tokens (HS256,
// RS256, ES256 and "none" headers), so that keys made of odd parameters reach OpenSSL too. A
// document either yields keys or throws std::runtime_error (a refetch then keeps the old keys);
// anything else is a finding.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kms/auth/JwksCache.hpp"

namespace {

// {"alg":"HS256","typ":"JWT"}, {"alg":"RS256"}, {"alg":"ES256"}, {"alg":"none"} over
// {"iss":"i","email":"a@b","exp":4102444800}, with signatures of the right size but not valid.
const std::string kTokens[] = {
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJpIiwiZW1haWwiOiJhQGIiLCJleHAiOjQxMDI0NDQ4MDB9."
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJpIiwiZW1haWwiOiJhQGIiLCJleHAiOjQxMDI0NDQ4MDB9." + std::string(342, 'A'),
    "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJpIiwiZW1haWwiOiJhQGIiLCJleHAiOjQxMDI0NDQ4MDB9." + std::string(86, 'A'),
    "eyJhbGciOiJub25lIn0.eyJpc3MiOiJpIiwiZW1haWwiOiJhQGIiLCJleHAiOjQxMDI0NDQ4MDB9.",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string document(reinterpret_cast<const char*>(data), size);
  std::vector<std::shared_ptr<const kms::auth::JwkKey>> keys;
  try {
    keys = kms::auth::JwksCache::parse(document);
  } catch (const std::runtime_error&) {
    return 0;
  }
  for (const auto& key : keys) {
    for (const auto& token : kTokens) {
      if (key->verifies(token)) std::abort();  // no key verifies a signature nobody made
    }
  }
  return 0;
}
