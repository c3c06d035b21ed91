#include "kms/keys/RsaComponents.hpp"

#include <string>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslError.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/RsaDerCodec.hpp"

namespace kms::keys {
namespace {

BignumPtr getBn(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    BN_clear_free(raw);
    throwOpenSslError(ErrorCode::KeyFormatNotSupported, std::string("RSA key lacks component ") + name);
  }
  return BignumPtr(raw);
}

template <class Out>
Out toBytes(const BIGNUM* bn) {
  Out out(static_cast<std::size_t>(BN_num_bytes(bn)));
  if (!out.empty()) {
    BN_bn2bin(bn, out.data());
  }
  return out;
}

// Private components go into BN_secure_new numbers: OSSL_PARAM_BLD then places them in the
// block that OSSL_PARAM_free wipes (the ordinary block is freed without wiping).
BignumPtr toBn(ByteView bytes, bool secret, const char* what) {
  if (bytes.empty()) {
    throw Exception(ErrorCode::InvalidField, std::string("RSA component missing: ") + what);
  }
  BignumPtr bn(secret ? BN_secure_new() : BN_new());
  if (!bn || BN_bin2bn(bytes.data(), checkedLength(bytes.size(), what), bn.get()) == nullptr) {
    throwOpenSslError(ErrorCode::InternalError, "cannot allocate a big number");
  }
  if (BN_is_zero(bn.get())) {
    throw Exception(ErrorCode::InvalidField, std::string("RSA component is zero: ") + what);
  }
  return bn;
}

void pushBn(OSSL_PARAM_BLD* bld, const char* name, const BIGNUM* bn) {
  if (OSSL_PARAM_BLD_push_BN(bld, name, bn) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "cannot build RSA parameters");
  }
}

PkeyPtr fromData(OSSL_PARAM_BLD* bld, int selection) {
  const ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    EVP_PKEY_free(raw);
    throwOpenSslError(ErrorCode::InvalidField, "cannot build an RSA key from its components");
  }
  return PkeyPtr(raw);
}

void checkPublic(const BIGNUM* n, const BIGNUM* e) {
  if (!BN_is_odd(n) || BN_num_bits(n) < 512) {
    throw Exception(ErrorCode::InvalidField, "RSA modulus must be odd and at least 512 bits");
  }
  if (!BN_is_odd(e) || BN_is_one(e) || BN_cmp(e, n) >= 0) {
    throw Exception(ErrorCode::InvalidField, "RSA public exponent must be odd, above 1 and below the modulus");
  }
}

// Cheap arithmetic checks (no primality test): catches a mistyped or mismatched component.
void checkConsistent(const BIGNUM* n, const BIGNUM* e, const BIGNUM* d, const BIGNUM* p, const BIGNUM* q,
                     const BIGNUM* dp, const BIGNUM* dq, const BIGNUM* qinv) {
  const BnCtxPtr ctx(BN_CTX_secure_new());
  const BignumPtr t(BN_secure_new());
  const BignumPtr pm1(BN_secure_new());
  const BignumPtr qm1(BN_secure_new());
  if (!ctx || !t || !pm1 || !qm1 || BN_copy(pm1.get(), p) == nullptr || BN_copy(qm1.get(), q) == nullptr ||
      BN_sub_word(pm1.get(), 1) != 1 || BN_sub_word(qm1.get(), 1) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "cannot allocate big numbers");
  }
  const auto fail = [] { throw Exception(ErrorCode::InvalidField, "RSA private key components are inconsistent"); };
  if (BN_is_zero(pm1.get()) || BN_is_zero(qm1.get())) {
    fail();
  }
  if (BN_mul(t.get(), p, q, ctx.get()) != 1 || BN_cmp(t.get(), n) != 0) {
    fail();
  }
  if (BN_mod(t.get(), d, pm1.get(), ctx.get()) != 1 || BN_cmp(t.get(), dp) != 0) {
    fail();
  }
  if (BN_mod(t.get(), d, qm1.get(), ctx.get()) != 1 || BN_cmp(t.get(), dq) != 0) {
    fail();
  }
  if (BN_mod_mul(t.get(), e, dp, pm1.get(), ctx.get()) != 1 || !BN_is_one(t.get())) {
    fail();
  }
  if (BN_mod_mul(t.get(), e, dq, qm1.get(), ctx.get()) != 1 || !BN_is_one(t.get())) {
    fail();
  }
  if (BN_mod_mul(t.get(), q, qinv, p, ctx.get()) != 1 || !BN_is_one(t.get())) {
    fail();
  }
  clearOpenSslErrors();
}

}  // namespace

RsaPublicComponents RsaComponents::publicOf(ByteView der) {
  RsaDerForm form{};
  const PkeyPtr key = RsaDerCodec::decodeAny(der, form);
  RsaPublicComponents out;
  out.modulus = toBytes<Bytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_N).get());
  out.publicExponent = toBytes<Bytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_E).get());
  return out;
}

RsaPrivateComponents RsaComponents::privateOf(ByteView der) {
  PkeyPtr key = RsaDerCodec::tryDecode(der, RsaDerForm::Pkcs1Private);
  if (!key) {
    key = RsaDerCodec::tryDecode(der, RsaDerForm::Pkcs8Private);
  }
  if (!key) {
    throw Exception(ErrorCode::InvalidField, "not a DER RSA private key (PKCS#1 or PKCS#8)");
  }
  BIGNUM* third = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR3, &third) == 1) {
    BN_clear_free(third);
    throw Exception(ErrorCode::KeyFormatNotSupported, "multi-prime RSA keys have no transparent form");
  }
  clearOpenSslErrors();
  RsaPrivateComponents out;
  out.modulus = toBytes<Bytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_N).get());
  out.publicExponent = toBytes<Bytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_E).get());
  out.privateExponent = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_D).get());
  out.prime1 = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR1).get());
  out.prime2 = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_FACTOR2).get());
  out.exponent1 = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1).get());
  out.exponent2 = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2).get());
  out.coefficient = toBytes<SecretBytes>(getBn(key.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1).get());
  return out;
}

Bytes RsaComponents::publicPkcs1Der(const RsaPublicComponents& c) {
  const BignumPtr n = toBn(c.modulus, false, "modulus");
  const BignumPtr e = toBn(c.publicExponent, false, "public exponent");
  checkPublic(n.get(), e.get());
  const ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) {
    throwOpenSslError(ErrorCode::InternalError, "cannot build RSA parameters");
  }
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  const PkeyPtr key = fromData(bld.get(), EVP_PKEY_PUBLIC_KEY);
  return RsaDerCodec::encodePublic(key.get(), RsaDerForm::Pkcs1Public);
}

SecretBytes RsaComponents::privatePkcs1Der(const RsaPrivateComponents& c) {
  const BignumPtr n = toBn(c.modulus, false, "modulus");
  const BignumPtr e = toBn(c.publicExponent, false, "public exponent");
  const BignumPtr d = toBn(c.privateExponent, true, "private exponent");
  const BignumPtr p = toBn(c.prime1, true, "prime P");
  const BignumPtr q = toBn(c.prime2, true, "prime Q");
  const BignumPtr dp = toBn(c.exponent1, true, "prime exponent P");
  const BignumPtr dq = toBn(c.exponent2, true, "prime exponent Q");
  const BignumPtr qinv = toBn(c.coefficient, true, "CRT coefficient");
  checkPublic(n.get(), e.get());
  checkConsistent(n.get(), e.get(), d.get(), p.get(), q.get(), dp.get(), dq.get(), qinv.get());

  const ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) {
    throwOpenSslError(ErrorCode::InternalError, "cannot build RSA parameters");
  }
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get());
  pushBn(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get());
  const PkeyPtr key = fromData(bld.get(), EVP_PKEY_KEYPAIR);
  return RsaDerCodec::encodePrivate(key.get(), RsaDerForm::Pkcs1Private);
}

}  // namespace kms::keys
