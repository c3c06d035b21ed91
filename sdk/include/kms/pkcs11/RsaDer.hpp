#pragma once
// DER encodings of RSA keys built from PKCS#11 attributes (CKA_MODULUS, CKA_PUBLIC_EXPONENT,
// and the CRT attributes of an extractable private key), with OpenSSL 3: OSSL_PARAM_BLD ->
// EVP_PKEY_fromdata -> OSSL_ENCODER. Tokens hand out numbers, clients want PKCS#1, PKCS#8 or
// SubjectPublicKeyInfo.
#include <cstdint>
#include <span>

#include "kms/pkcs11/SecureBytes.hpp"

namespace kms::pkcs11 {

using ByteView = std::span<const std::uint8_t>;

struct RsaPrivateParts {
  ByteView modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient;
};

class RsaDer {
 public:
  // format: KMS_FORMAT_PKCS1 (RSAPublicKey) or KMS_FORMAT_SPKI. Throws Error.
  [[nodiscard]] static SecureBytes publicKey(ByteView modulus, ByteView exponent, std::int32_t format);
  // format: KMS_FORMAT_PKCS1 (RSAPrivateKey) or KMS_FORMAT_PKCS8 (PrivateKeyInfo). Throws Error.
  [[nodiscard]] static SecureBytes privateKey(const RsaPrivateParts& parts, std::int32_t format);
};

}  // namespace kms::pkcs11
