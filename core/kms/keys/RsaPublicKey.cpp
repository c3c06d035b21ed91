#include "kms/keys/RsaPublicKey.hpp"

#include <openssl/evp.h>

#include "kms/Exception.hpp"
#include "kms/keys/RsaDerCodec.hpp"
#include "kms/keys/RsaOperations.hpp"

namespace kms::keys {

RsaPublicKey::RsaPublicKey(PkeyPtr key) : key_(std::move(key)) {
  if (!key_ || EVP_PKEY_is_a(key_.get(), "RSA") != 1) {
    throw Exception(ErrorCode::InvalidField, "not an RSA key");
  }
}

RsaPublicKey RsaPublicKey::fromPkcs1Der(ByteView der) {
  return RsaPublicKey(RsaDerCodec::decode(der, RsaDerForm::Pkcs1Public));
}

RsaPublicKey RsaPublicKey::fromSpkiDer(ByteView der) {
  return RsaPublicKey(RsaDerCodec::decode(der, RsaDerForm::Spki));
}

int RsaPublicKey::modulusBits() const {
  return RsaOperations::modulusBits(key_.get());
}

Bytes RsaPublicKey::toPkcs1Der() const {
  return RsaDerCodec::encodePublic(key_.get(), RsaDerForm::Pkcs1Public);
}

Bytes RsaPublicKey::toSpkiDer() const {
  return RsaDerCodec::encodePublic(key_.get(), RsaDerForm::Spki);
}

EncryptResult RsaPublicKey::encrypt(const CipherParams& params, ByteView plaintext) const {
  EncryptResult result;
  result.ciphertext = RsaOperations::encrypt(key_.get(), params, plaintext);
  return result;
}

SecretBytes RsaPublicKey::decrypt(const CipherParams& /*params*/, ByteView /*ciphertext*/, ByteView /*tag*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an RSA public key cannot decrypt");
}

Bytes RsaPublicKey::sign(const SignParams& /*params*/, ByteView /*data*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an RSA public key cannot sign");
}

bool RsaPublicKey::verify(const SignParams& params, ByteView data, ByteView signature) const {
  return RsaOperations::verify(key_.get(), params, data, signature);
}

}  // namespace kms::keys
