#pragma once
// An AES key held in software: AES-GCM, AES-CBC and AES-ECB through OpenSSL 3 EVP.
#include <cstddef>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/LockedBytes.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class SymmetricKey final : public CryptoKey {
 public:
  // key: 16, 24 or 32 raw bytes (AES-128/192/256), else InvalidField.
  explicit SymmetricKey(SecretBytes key);

  [[nodiscard]] std::size_t bits() const noexcept { return key_.size() * 8; }

  // GCM: IV from params.iv (1..128 bytes) or 12 fresh random bytes; params.aad authenticated;
  //      params.tagLength 4..16, and on decrypt the tag must have exactly that length.
  // CBC: params.padding Pkcs5 or None; 16-byte IV, random when absent on encrypt, required
  //      on decrypt. ECB: Pkcs5 or None; any IV is ignored.
  [[nodiscard]] EncryptResult encrypt(const CipherParams& params, ByteView plaintext) const override;
  [[nodiscard]] SecretBytes decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const override;
  // AES keys do not sign: both throw IllegalObjectType.
  [[nodiscard]] Bytes sign(const SignParams& params, ByteView data) const override;
  [[nodiscard]] bool verify(const SignParams& params, ByteView data, ByteView signature) const override;

 private:
  [[nodiscard]] EncryptResult encryptGcm(const CipherParams& params, ByteView plaintext) const;
  [[nodiscard]] SecretBytes decryptGcm(const CipherParams& params, ByteView ciphertext, ByteView tag) const;
  [[nodiscard]] EncryptResult encryptBlock(const CipherParams& params, ByteView plaintext) const;
  [[nodiscard]] SecretBytes decryptBlock(const CipherParams& params, ByteView ciphertext) const;

  LockedBytes key_;  // held by the unwrapped-key cache: locked pages where the system allows
};

}  // namespace kms::keys
