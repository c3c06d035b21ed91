#pragma once
// An RSA private key held in software: decrypts and signs, and, through its public half,
// encrypts and verifies too.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/RsaPublicKey.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class RsaPrivateKey final : public CryptoKey {
 public:
  // Throw InvalidField when der is not an RSA private key in that form.
  [[nodiscard]] static RsaPrivateKey fromPkcs1Der(ByteView der);
  [[nodiscard]] static RsaPrivateKey fromPkcs8Der(ByteView der);
  // Takes ownership of an EVP_PKEY holding an RSA private key.
  explicit RsaPrivateKey(PkeyPtr key);

  [[nodiscard]] int modulusBits() const;
  [[nodiscard]] RsaPublicKey publicKey() const;
  [[nodiscard]] SecretBytes toPkcs1Der() const;
  [[nodiscard]] SecretBytes toPkcs8Der() const;

  // Encrypts with the public half; params.mode, iv and aad are ignored (RSA has none).
  [[nodiscard]] EncryptResult encrypt(const CipherParams& params, ByteView plaintext) const override;
  // The tag is ignored. Every failure is the same CryptographicFailure (see RsaOperations).
  [[nodiscard]] SecretBytes decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const override;
  // data is the message (hashed here with params.hash). PSS salt: params.pssSaltLength, else
  // the digest length.
  [[nodiscard]] Bytes sign(const SignParams& params, ByteView data) const override;
  // Signs a digest computed elsewhere (Gmail CSE's privatekeysign); its length must be params.hash's.
  [[nodiscard]] Bytes signDigest(const SignParams& params, ByteView digest) const;
  [[nodiscard]] bool verify(const SignParams& params, ByteView data, ByteView signature) const override;

 private:
  PkeyPtr key_;
};

}  // namespace kms::keys
