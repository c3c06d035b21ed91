#include "kms/testkit/OpenSslCheck.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace kms::testkit {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: ") + what);
}

Pkey publicKey(const Bytes& spki) {
  const unsigned char* p = spki.data();
  Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())), EVP_PKEY_free);
  if (!key) fail("cannot parse the SubjectPublicKeyInfo");
  return key;
}

const EVP_MD* digest(const std::string& name) {
  const EVP_MD* md = EVP_get_digestbyname(name.c_str());
  if (md == nullptr) fail("unknown digest");
  return md;
}

const EVP_CIPHER* aesFor(std::size_t keyLength, bool wrap) {
  switch (keyLength) {
    case 16:
      return wrap ? EVP_aes_128_wrap_pad() : EVP_aes_128_gcm();
    case 24:
      return wrap ? EVP_aes_192_wrap_pad() : EVP_aes_192_gcm();
    case 32:
      return wrap ? EVP_aes_256_wrap_pad() : EVP_aes_256_gcm();
    default:
      fail("AES key length");
  }
}

}  // namespace

Bytes OpenSslCheck::aesGcmEncrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plain) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  Bytes out(plain.size() + 16);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), aesFor(key.size(), false), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data()) != 1) {
    fail("AES-GCM init");
  }
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &length, aad.data(), static_cast<int>(aad.size())) != 1) {
    fail("AES-GCM aad");
  }
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &length, plain.data(), static_cast<int>(plain.size())) != 1) {
    fail("AES-GCM update");
  }
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + length, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size()) != 1) {
    fail("AES-GCM final");
  }
  return out;
}

Bytes OpenSslCheck::aesKeyWrapPad(const Bytes& key, const Bytes& plain) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) fail("context");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  Bytes out(plain.size() + 16);
  int length = 0;
  int tail = 0;
  if (EVP_EncryptInit_ex(ctx.get(), aesFor(key.size(), true), nullptr, key.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &length, plain.data(), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + length, &tail) != 1) {
    fail("AES key wrap");
  }
  out.resize(static_cast<std::size_t>(length) + static_cast<std::size_t>(tail));
  return out;
}

Bytes OpenSslCheck::rsaOaepEncrypt(const Bytes& spki, const std::string& hashName, const Bytes& plain) {
  auto key = publicKey(spki);
  PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  std::size_t length = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), digest(hashName)) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), digest(hashName)) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &length, plain.data(), plain.size()) != 1) {
    fail("RSA-OAEP init");
  }
  Bytes out(length);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &length, plain.data(), plain.size()) != 1) fail("RSA-OAEP");
  out.resize(length);
  return out;
}

bool OpenSslCheck::rsaVerify(const Bytes& spki, const std::string& hashName, bool pss, const Bytes& data,
                             const Bytes& signature) {
  auto key = publicKey(spki);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest(hashName), nullptr, key.get()) != 1) fail("verify init");
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    fail("PSS parameters");
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
}

int OpenSslCheck::rsaBits(const Bytes& spki) {
  try {
    auto key = publicKey(spki);
    return EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA ? EVP_PKEY_get_bits(key.get()) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace kms::testkit
