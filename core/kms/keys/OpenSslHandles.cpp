#include "kms/keys/OpenSslHandles.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

namespace kms::keys {

void OpenSslDeleter::operator()(EVP_PKEY* p) const noexcept {
  EVP_PKEY_free(p);
}
void OpenSslDeleter::operator()(EVP_PKEY_CTX* p) const noexcept {
  EVP_PKEY_CTX_free(p);
}
void OpenSslDeleter::operator()(EVP_CIPHER_CTX* p) const noexcept {
  EVP_CIPHER_CTX_free(p);
}
void OpenSslDeleter::operator()(EVP_CIPHER* p) const noexcept {
  EVP_CIPHER_free(p);
}
void OpenSslDeleter::operator()(EVP_MD_CTX* p) const noexcept {
  EVP_MD_CTX_free(p);
}
void OpenSslDeleter::operator()(EVP_MD* p) const noexcept {
  EVP_MD_free(p);
}
void OpenSslDeleter::operator()(BIGNUM* p) const noexcept {
  BN_clear_free(p);
}
void OpenSslDeleter::operator()(BN_CTX* p) const noexcept {
  BN_CTX_free(p);
}
void OpenSslDeleter::operator()(OSSL_PARAM_BLD* p) const noexcept {
  OSSL_PARAM_BLD_free(p);
}
void OpenSslDeleter::operator()(OSSL_PARAM* p) const noexcept {
  OSSL_PARAM_free(p);
}
void OpenSslDeleter::operator()(OSSL_ENCODER_CTX* p) const noexcept {
  OSSL_ENCODER_CTX_free(p);
}
void OpenSslDeleter::operator()(OSSL_DECODER_CTX* p) const noexcept {
  OSSL_DECODER_CTX_free(p);
}
void OpenSslDeleter::operator()(BIO* p) const noexcept {
  BIO_free(p);
}

}  // namespace kms::keys
