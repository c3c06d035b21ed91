#include "kms/keys/HmacKey.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

#include "kms/Exception.hpp"
#include "kms/keys/Algorithms.hpp"
#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {
namespace {

struct MacFree {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

// Fetched once (EVP_MAC_fetch takes a global lock and a provider lookup).
const EVP_MAC* hmac() {
  static const std::unique_ptr<EVP_MAC, MacFree> instance(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!instance) throwOpenSslError(ErrorCode::FeatureNotSupported, "HMAC is not available from the OpenSSL providers");
  return instance.get();
}

}  // namespace

HmacKey::HmacKey(SecretBytes key, Hash hash) : key_(key.begin(), key.end()), hash_(hash) {
  if (key_.empty()) throw Exception(ErrorCode::InvalidField, "an HMAC key needs at least one byte");
}

EncryptResult HmacKey::encrypt(const CipherParams& /*params*/, ByteView /*plaintext*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an HMAC key cannot encrypt");
}

SecretBytes HmacKey::decrypt(const CipherParams& /*params*/, ByteView /*ciphertext*/, ByteView /*tag*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an HMAC key cannot decrypt");
}

Bytes HmacKey::sign(const SignParams& /*params*/, ByteView /*data*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an HMAC key cannot sign: use MAC");
}

bool HmacKey::verify(const SignParams& /*params*/, ByteView /*data*/, ByteView /*signature*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an HMAC key cannot verify signatures: use MACVerify");
}

Bytes HmacKey::mac(ByteView data) const {
  const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(const_cast<EVP_MAC*>(hmac())));
  if (!ctx) throwOpenSslError(ErrorCode::InternalError, "cannot allocate an HMAC context");
  // OSSL_PARAM wants a mutable char*; OpenSSL only reads it.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(Algorithms::digestName(hash_)), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key_.data(), key_.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) {
    throwOpenSslError(ErrorCode::CryptographicFailure, "HMAC failed");
  }
  Bytes out(Algorithms::digestLength(hash_));
  std::size_t written = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1) {
    throwOpenSslError(ErrorCode::CryptographicFailure, "HMAC failed");
  }
  out.resize(written);
  return out;
}

}  // namespace kms::keys
