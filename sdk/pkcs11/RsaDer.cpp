#include "kms/pkcs11/RsaDer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <memory>
#include <utility>
#include <vector>

#include "kms/driver.h"
#include "kms/pkcs11/Error.hpp"

namespace kms::pkcs11 {

namespace {

struct BnFree {
  void operator()(BIGNUM* bn) const noexcept { BN_clear_free(bn); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* bld) const noexcept { OSSL_PARAM_BLD_free(bld); }
};
// OSSL_PARAM_clear_free is OpenSSL 3.2; Debian 12 has 3.0: wipe the values, then free.
struct ParamFree {
  void operator()(OSSL_PARAM* params) const noexcept {
    for (OSSL_PARAM* p = params; p != nullptr && p->key != nullptr; ++p) {
      if (p->data != nullptr) OPENSSL_cleanse(p->data, p->data_size);
    }
    OSSL_PARAM_free(params);
  }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct EncoderFree {
  void operator()(OSSL_ENCODER_CTX* ctx) const noexcept { OSSL_ENCODER_CTX_free(ctx); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Error failure(const char* what) {
  return Error(KMS_ERR_INTERNAL, std::string("OpenSSL: ") + what + " failed");
}

Bn number(ByteView bytes) {
  Bn bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) throw failure("BN_bin2bn");
  return bn;
}

SecureBytes encode(const std::vector<std::pair<const char*, ByteView>>& fields, int selection, const char* structure) {
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) throw failure("OSSL_PARAM_BLD_new");
  std::vector<Bn> numbers;  // must outlive OSSL_PARAM_BLD_to_param
  for (const auto& [name, bytes] : fields) {
    numbers.push_back(number(bytes));
    if (OSSL_PARAM_BLD_push_BN(bld.get(), name, numbers.back().get()) != 1) throw failure("OSSL_PARAM_BLD_push_BN");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) throw failure("OSSL_PARAM_BLD_to_param");
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) throw failure("EVP_PKEY_fromdata_init");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    throw Error(KMS_ERR_DEVICE_ERROR, "the token returned RSA key attributes OpenSSL cannot use");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(raw);
  std::unique_ptr<OSSL_ENCODER_CTX, EncoderFree> encoder(
      OSSL_ENCODER_CTX_new_for_pkey(key.get(), selection, "DER", structure, nullptr));
  if (!encoder || OSSL_ENCODER_CTX_get_num_encoders(encoder.get()) == 0) throw failure("OSSL_ENCODER_CTX_new_for_pkey");
  unsigned char* der = nullptr;
  std::size_t length = 0;
  if (OSSL_ENCODER_to_data(encoder.get(), &der, &length) != 1) throw failure("OSSL_ENCODER_to_data");
  SecureBytes out(der, length);
  OPENSSL_clear_free(der, length);
  return out;
}

}  // namespace

SecureBytes RsaDer::publicKey(ByteView modulus, ByteView exponent, std::int32_t format) {
  if (format != KMS_FORMAT_PKCS1 && format != KMS_FORMAT_SPKI) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "an RSA public key exports as PKCS#1 or SubjectPublicKeyInfo");
  }
  return encode({{OSSL_PKEY_PARAM_RSA_N, modulus}, {OSSL_PKEY_PARAM_RSA_E, exponent}}, EVP_PKEY_PUBLIC_KEY,
                format == KMS_FORMAT_PKCS1 ? "type-specific" : "SubjectPublicKeyInfo");
}

SecureBytes RsaDer::privateKey(const RsaPrivateParts& parts, std::int32_t format) {
  if (format != KMS_FORMAT_PKCS1 && format != KMS_FORMAT_PKCS8) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "an RSA private key exports as PKCS#1 or PKCS#8");
  }
  return encode({{OSSL_PKEY_PARAM_RSA_N, parts.modulus},
                 {OSSL_PKEY_PARAM_RSA_E, parts.publicExponent},
                 {OSSL_PKEY_PARAM_RSA_D, parts.privateExponent},
                 {OSSL_PKEY_PARAM_RSA_FACTOR1, parts.prime1},
                 {OSSL_PKEY_PARAM_RSA_FACTOR2, parts.prime2},
                 {OSSL_PKEY_PARAM_RSA_EXPONENT1, parts.exponent1},
                 {OSSL_PKEY_PARAM_RSA_EXPONENT2, parts.exponent2},
                 {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, parts.coefficient}},
                EVP_PKEY_KEYPAIR, format == KMS_FORMAT_PKCS1 ? "type-specific" : "PrivateKeyInfo");
}

}  // namespace kms::pkcs11
