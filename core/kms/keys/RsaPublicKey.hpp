#pragma once
// An RSA public key held in software: encrypts (OAEP, PKCS#1 v1.5) and verifies (PKCS#1 v1.5,
// PSS). Decrypting and signing need the private key and throw IllegalObjectType.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/OpenSslHandles.hpp"

namespace kms::keys {

class RsaPublicKey final : public CryptoKey {
 public:
  // Throw InvalidField when der is not an RSA public key in that form.
  [[nodiscard]] static RsaPublicKey fromPkcs1Der(ByteView der);
  [[nodiscard]] static RsaPublicKey fromSpkiDer(ByteView der);
  // Takes ownership of an EVP_PKEY holding an RSA key (its public half is used).
  explicit RsaPublicKey(PkeyPtr key);

  [[nodiscard]] int modulusBits() const;
  [[nodiscard]] Bytes toPkcs1Der() const;
  [[nodiscard]] Bytes toSpkiDer() const;

  // params.padding Oaep (hash, mgfHash, oaepLabel) or Pkcs1v15; mode, iv and aad are ignored.
  [[nodiscard]] EncryptResult encrypt(const CipherParams& params, ByteView plaintext) const override;
  [[nodiscard]] SecretBytes decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const override;
  [[nodiscard]] Bytes sign(const SignParams& params, ByteView data) const override;
  // PSS without params.pssSaltLength reads the salt length from the signature.
  [[nodiscard]] bool verify(const SignParams& params, ByteView data, ByteView signature) const override;

 private:
  PkeyPtr key_;
};

}  // namespace kms::keys
