#pragma once
// Owning handles for the OpenSSL objects the key layer uses, so that every early return and
// exception path frees (and, for key material, wipes) what it allocated. Only the opaque
// typedefs of <openssl/types.h> leak into users of this header.
#include <memory>

#include <openssl/types.h>

namespace kms::keys {

struct OpenSslDeleter {
  void operator()(EVP_PKEY* p) const noexcept;
  void operator()(EVP_PKEY_CTX* p) const noexcept;
  void operator()(EVP_CIPHER_CTX* p) const noexcept;
  void operator()(EVP_CIPHER* p) const noexcept;
  void operator()(EVP_MD_CTX* p) const noexcept;
  void operator()(EVP_MD* p) const noexcept;
  void operator()(BIGNUM* p) const noexcept;  // BN_clear_free: big numbers may be private
  void operator()(BN_CTX* p) const noexcept;
  void operator()(OSSL_PARAM_BLD* p) const noexcept;
  void operator()(OSSL_PARAM* p) const noexcept;
  void operator()(OSSL_ENCODER_CTX* p) const noexcept;
  void operator()(OSSL_DECODER_CTX* p) const noexcept;
  void operator()(BIO* p) const noexcept;
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, OpenSslDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter>;
using MdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OpenSslDeleter>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter>;
using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, OpenSslDeleter>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, OpenSslDeleter>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter>;

}  // namespace kms::keys
