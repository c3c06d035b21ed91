#include "kms/keys/KeyGenerator.hpp"

#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslError.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/Random.hpp"
#include "kms/keys/RsaDerCodec.hpp"

namespace kms::keys {

SecretBytes KeyGenerator::aes(int bits) {
  if (bits != 128 && bits != 192 && bits != 256) {
    throw Exception(ErrorCode::InvalidField,
                    "AES key length must be 128, 192 or 256 bits, got " + std::to_string(bits));
  }
  return Random::secretBytes(static_cast<std::size_t>(bits) / 8);
}

RsaKeyPairDer KeyGenerator::rsa(int bits) {
  // Below 2048 bits RSA is no longer acceptable (NIST SP 800-131A); above 4096 generation
  // takes too long for a request.
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    throw Exception(ErrorCode::InvalidField,
                    "RSA key length must be 2048, 3072 or 4096 bits, got " + std::to_string(bits));
  }
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "cannot start RSA key generation");
  }
  unsigned int modulusBits = static_cast<unsigned int>(bits);
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &modulusBits),
                               OSSL_PARAM_construct_end()};
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    EVP_PKEY_free(raw);
    throwOpenSslError(ErrorCode::InternalError, "RSA key generation failed");
  }
  const PkeyPtr key(raw);
  RsaKeyPairDer pair;
  pair.privatePkcs1Der = RsaDerCodec::encodePrivate(key.get(), RsaDerForm::Pkcs1Private);
  pair.publicPkcs1Der = RsaDerCodec::encodePublic(key.get(), RsaDerForm::Pkcs1Public);
  return pair;
}

}  // namespace kms::keys
