#include "kms/keys/RsaPrivateKey.hpp"

#include <openssl/evp.h>

#include "kms/Exception.hpp"
#include "kms/keys/RsaDerCodec.hpp"
#include "kms/keys/RsaOperations.hpp"

namespace kms::keys {

RsaPrivateKey::RsaPrivateKey(PkeyPtr key) : key_(std::move(key)) {
  if (!key_ || EVP_PKEY_is_a(key_.get(), "RSA") != 1 || !RsaDerCodec::hasPrivateHalf(key_.get())) {
    throw Exception(ErrorCode::InvalidField, "not an RSA private key");
  }
}

RsaPrivateKey RsaPrivateKey::fromPkcs1Der(ByteView der) {
  return RsaPrivateKey(RsaDerCodec::decode(der, RsaDerForm::Pkcs1Private));
}

RsaPrivateKey RsaPrivateKey::fromPkcs8Der(ByteView der) {
  return RsaPrivateKey(RsaDerCodec::decode(der, RsaDerForm::Pkcs8Private));
}

int RsaPrivateKey::modulusBits() const {
  return RsaOperations::modulusBits(key_.get());
}

RsaPublicKey RsaPrivateKey::publicKey() const {
  // Through DER rather than EVP_PKEY_dup: the copy must not carry the private half.
  return RsaPublicKey::fromPkcs1Der(RsaDerCodec::encodePublic(key_.get(), RsaDerForm::Pkcs1Public));
}

SecretBytes RsaPrivateKey::toPkcs1Der() const {
  return RsaDerCodec::encodePrivate(key_.get(), RsaDerForm::Pkcs1Private);
}

SecretBytes RsaPrivateKey::toPkcs8Der() const {
  return RsaDerCodec::encodePrivate(key_.get(), RsaDerForm::Pkcs8Private);
}

EncryptResult RsaPrivateKey::encrypt(const CipherParams& params, ByteView plaintext) const {
  EncryptResult result;
  result.ciphertext = RsaOperations::encrypt(key_.get(), params, plaintext);
  return result;
}

SecretBytes RsaPrivateKey::decrypt(const CipherParams& params, ByteView ciphertext, ByteView /*tag*/) const {
  return RsaOperations::decrypt(key_.get(), params, ciphertext);
}

Bytes RsaPrivateKey::sign(const SignParams& params, ByteView data) const {
  return RsaOperations::sign(key_.get(), params, data);
}

Bytes RsaPrivateKey::signDigest(const SignParams& params, ByteView digest) const {
  return RsaOperations::signDigest(key_.get(), params, digest);
}

bool RsaPrivateKey::verify(const SignParams& params, ByteView data, ByteView signature) const {
  return RsaOperations::verify(key_.get(), params, data, signature);
}

}  // namespace kms::keys
