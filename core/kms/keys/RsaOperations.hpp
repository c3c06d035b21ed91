#pragma once
// The RSA primitives shared by RsaPublicKey and RsaPrivateKey: OAEP and PKCS#1 v1.5
// encryption, PKCS#1 v1.5 and PSS signatures, on any EVP_PKEY holding an RSA key. The key
// classes decide which operations a key may perform; this file only performs them.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class RsaOperations {
 public:
  [[nodiscard]] static Bytes encrypt(EVP_PKEY* key, const CipherParams& params, ByteView plaintext);
  // Any failure (bad padding, wrong length, wrong key) is the same CryptographicFailure with
  // the same message: telling them apart would be a Bleichenbacher/Manger oracle.
  [[nodiscard]] static SecretBytes decrypt(EVP_PKEY* key, const CipherParams& params, ByteView ciphertext);
  [[nodiscard]] static Bytes sign(EVP_PKEY* key, const SignParams& params, ByteView data);
  // Signs a digest the caller computed (params.hash names it; its length is checked).
  [[nodiscard]] static Bytes signDigest(EVP_PKEY* key, const SignParams& params, ByteView digest);
  [[nodiscard]] static bool verify(EVP_PKEY* key, const SignParams& params, ByteView data, ByteView signature);
  [[nodiscard]] static int modulusBits(const EVP_PKEY* key);
};

}  // namespace kms::keys
