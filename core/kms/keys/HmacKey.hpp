#pragma once
// An HMAC key held in software (HMAC-SHA-1/224/256/384/512, RFC 2104) through OpenSSL 3's
// EVP_MAC. It computes MACs only: encrypt, decrypt, sign and verify throw IllegalObjectType.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/LockedBytes.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class HmacKey final : public CryptoKey {
 public:
  // `key`: at least one byte (RFC 2104 allows any length; shorter than the digest is weak, but
  // RFC 4231's own test keys are), else InvalidField. `hash`: the algorithm's digest.
  HmacKey(SecretBytes key, Hash hash);

  [[nodiscard]] EncryptResult encrypt(const CipherParams& params, ByteView plaintext) const override;
  [[nodiscard]] SecretBytes decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const override;
  [[nodiscard]] Bytes sign(const SignParams& params, ByteView data) const override;
  [[nodiscard]] bool verify(const SignParams& params, ByteView data, ByteView signature) const override;
  [[nodiscard]] Bytes mac(ByteView data) const override;

 private:
  LockedBytes key_;  // held by the unwrapped-key cache: locked pages where the system allows
  Hash hash_;
};

}  // namespace kms::keys
