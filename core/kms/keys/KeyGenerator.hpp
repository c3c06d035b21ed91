#pragma once
// Fresh key material: AES keys from the private DRBG, RSA key pairs from OpenSSL's keygen.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

struct RsaKeyPairDer {
  SecretBytes privatePkcs1Der;  // RSAPrivateKey
  Bytes publicPkcs1Der;         // RSAPublicKey
};

class KeyGenerator {
 public:
  // bits: 128, 192 or 256, else InvalidField.
  [[nodiscard]] static SecretBytes aes(int bits);
  // bits: 2048, 3072 or 4096, else InvalidField; public exponent 65537. Takes 0.05 to several
  // seconds (prime search): never call it on an I/O thread.
  [[nodiscard]] static RsaKeyPairDer rsa(int bits);
};

}  // namespace kms::keys
