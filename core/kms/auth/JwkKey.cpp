#include "kms/auth/JwkKey.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/EVPPKey.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace kms::auth {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256CoordinateBytes = 32;

bool isBase64url(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool isEs256Signature(std::string_view jwt) {
  constexpr std::size_t kEncodedSize = 86;  // 64 bytes, unpadded
  if (std::count(jwt.begin(), jwt.end(), '.') != 2) return false;
  const std::string_view signature = jwt.substr(jwt.rfind('.') + 1);
  return signature.size() == kEncodedSize && std::all_of(signature.begin(), signature.end(), isBase64url);
}

std::vector<unsigned char> base64url(const Poco::JSON::Object& jwk, const std::string& member) {
  if (!jwk.has(member) || !jwk.get(member).isString()) {
    throw std::invalid_argument("JWK without \"" + member + "\"");
  }
  const std::string text = jwk.getValue<std::string>(member);
  for (char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) throw std::invalid_argument("JWK \"" + member + "\" is not base64url");
  }
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  std::vector<unsigned char> out((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  if (out.empty()) throw std::invalid_argument("JWK \"" + member + "\" is empty");
  return out;
}

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Pkey fromParams(const char* type, OSSL_PARAM_BLD* builder) {
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(builder), &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr),
                                                                  &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    throw std::invalid_argument(std::string("JWK is not a valid ") + type + " public key");
  }
  return Pkey(key, &EVP_PKEY_free);
}

using Builder = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>;
using Bignum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

Pkey rsaKey(const Poco::JSON::Object& jwk) {
  const auto n = base64url(jwk, "n");
  const auto e = base64url(jwk, "e");
  Bignum bn(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr), &BN_free);
  Bignum be(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr), &BN_free);
  Builder builder(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  if (!bn || !be || !builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, be.get())) {
    throw std::invalid_argument("JWK RSA parameters unusable");
  }
  Pkey key = fromParams("RSA", builder.get());
  if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) throw std::invalid_argument("JWK RSA modulus below 2048 bits");
  return key;
}

Pkey ecKey(const Poco::JSON::Object& jwk) {
  if (!jwk.has("crv") || jwk.getValue<std::string>("crv") != "P-256") {
    throw std::invalid_argument("JWK EC curve other than P-256");
  }
  const auto x = base64url(jwk, "x");
  const auto y = base64url(jwk, "y");
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes) {
    throw std::invalid_argument("JWK EC coordinates are not 32 bytes");
  }
  std::vector<unsigned char> point{0x04};  // uncompressed point: 04 || x || y
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  Builder builder(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  if (!builder || !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    throw std::invalid_argument("JWK EC parameters unusable");
  }
  return fromParams("EC", builder.get());
}

}  // namespace

JwkKey JwkKey::fromJson(const Poco::JSON::Object& jwk) {
  JwkKey key;
  if (jwk.has("kid") && jwk.get("kid").isString()) key.kid_ = jwk.getValue<std::string>("kid");
  const std::string kty = jwk.has("kty") ? jwk.getValue<std::string>("kty") : std::string();
  const std::string alg = jwk.has("alg") ? jwk.getValue<std::string>("alg") : std::string();
  if (jwk.has("use") && jwk.getValue<std::string>("use") != "sig") {
    throw std::invalid_argument("JWK not for signatures");
  }
  const auto expectAlg = [&](const std::string& expected) {
    if (!alg.empty() && alg != expected) throw std::invalid_argument("JWK alg " + alg + " is not supported");
    key.algorithm_ = expected;
  };
  if (kty == "RSA") {
    expectAlg(Poco::JWT::Signer::ALGO_RS256);
    key.rsa_ = new Poco::Crypto::RSAKey(Poco::Crypto::EVPPKey(rsaKey(jwk).get()));
  } else if (kty == "EC") {
    expectAlg(Poco::JWT::Signer::ALGO_ES256);
    key.ec_ = new Poco::Crypto::ECKey(Poco::Crypto::EVPPKey(ecKey(jwk).get()));
  } else if (kty == "oct") {
    expectAlg(Poco::JWT::Signer::ALGO_HS256);
    const auto secret = base64url(jwk, "k");
    key.hmac_.assign(secret.begin(), secret.end());
  } else {
    throw std::invalid_argument("JWK kty \"" + kty + "\" is not supported");
  }
  return key;
}

bool JwkKey::verifies(const std::string& jwt) const {
  // An ES256 signature is r || s, 64 bytes (RFC 7518 section 3.4): 86 base64url characters.
  // Anything else is refused before Poco, which leaks an ECDSA_SIG for signatures under two
  // bytes: every such token, unauthenticated, would hold memory for good (found by fuzz_jwt).
  if (ec_ && !isEs256Signature(jwt)) return false;
  Poco::JWT::Signer signer;
  signer.setAlgorithms({algorithm_});  // also refuses "none": it is never in the set
  if (rsa_) signer.setRSAKey(rsa_);
  if (ec_) signer.setECKey(ec_);
  if (!hmac_.empty()) signer.setHMACKey(hmac_);
  Poco::JWT::Token token;
  try {
    return signer.tryVerify(jwt, token);
  } catch (const Poco::Exception&) {
    return false;  // unallowed algorithm, malformed signature...
  }
}

}  // namespace kms::auth
