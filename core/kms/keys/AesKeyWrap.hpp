#pragma once
// AES key wrap with padding (RFC 5649) in software. Used for the second half of RSA-AES key
// wrapping (PKCS#11 CKM_RSA_AES_KEY_WRAP): a fresh AES-256 key wraps key material too long for
// RSA-OAEP, and the HSM's RSA key wraps that AES key.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class AesKeyWrap {
 public:
  // `key`: 16, 24 or 32 bytes. InvalidField for other lengths or empty material.
  [[nodiscard]] static Bytes wrap(const SecretBytes& key, const SecretBytes& material);
  // CryptographicFailure when the integrity check fails (wrong key, altered input).
  [[nodiscard]] static SecretBytes unwrap(const SecretBytes& key, ByteView wrapped);
};

}  // namespace kms::keys
