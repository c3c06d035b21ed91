#include "kms/keys/SymmetricKey.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kms/Exception.hpp"
#include "kms/keys/Algorithms.hpp"
#include "kms/keys/OpenSslError.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/Random.hpp"

namespace kms::keys {
namespace {

constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kGcmDefaultIvSize = 12;  // the size GCM handles without GHASHing the IV
constexpr std::size_t kGcmMaxIvSize = 128;     // OpenSSL's GCM limit
constexpr std::size_t kGcmMinTagSize = 4;
constexpr std::size_t kGcmMaxTagSize = 16;

[[noreturn]] void badParameters(const char* message) {
  throw Exception(ErrorCode::BadCryptographicParameters, message);
}

CipherCtxPtr newContext() {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    throwOpenSslError(ErrorCode::InternalError, "cannot allocate a cipher context");
  }
  return ctx;
}

// Keys the context. A non-default GCM IV length must reach the provider before the IV does,
// hence the two-step init in that case only.
void initCipher(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, const LockedBytes& key, ByteView iv, bool gcm, int enc) {
  const unsigned char* ivPtr = iv.empty() ? nullptr : iv.data();
  if (gcm && iv.size() != kGcmDefaultIvSize) {
    std::size_t ivLength = iv.size();
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivLength),
                                 OSSL_PARAM_construct_end()};
    if (EVP_CipherInit_ex2(ctx, cipher, nullptr, nullptr, enc, params) != 1 ||
        EVP_CipherInit_ex2(ctx, nullptr, key.data(), ivPtr, enc, nullptr) != 1) {
      throwOpenSslError(ErrorCode::BadCryptographicParameters, "cannot initialise AES-GCM");
    }
    return;
  }
  if (EVP_CipherInit_ex2(ctx, cipher, key.data(), ivPtr, enc, nullptr) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "cannot initialise the AES cipher");
  }
}

void checkGcmIv(ByteView iv) {
  if (iv.empty() || iv.size() > kGcmMaxIvSize) {
    badParameters("AES-GCM IV must be 1 to 128 bytes (12 recommended)");
  }
}

void checkGcmTagLength(std::size_t length) {
  if (length < kGcmMinTagSize || length > kGcmMaxTagSize) {
    badParameters("AES-GCM tag length must be 4 to 16 bytes");
  }
}

void checkBlockPadding(Padding padding) {
  if (padding != Padding::Pkcs5 && padding != Padding::None) {
    badParameters("AES-CBC and AES-ECB take PKCS#5 padding or no padding");
  }
}

// Runs the update/final pair of a block mode. The output buffer holds the input plus one
// block, the most PKCS#5 padding adds.
template <class Buffer>
Buffer runBlockCipher(EVP_CIPHER_CTX* ctx, ByteView input, bool encrypting) {
  Buffer out(input.size() + kBlockSize);
  int written = 0;
  if (!input.empty() &&
      EVP_CipherUpdate(ctx, out.data(), &written, input.data(), checkedLength(input.size(), "input")) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES update failed");
  }
  int finalWritten = 0;
  if (EVP_CipherFinal_ex(ctx, out.data() + written, &finalWritten) != 1) {
    // Only decryption can fail here (bad padding); its cause is not told, to give a padding
    // oracle nothing to read.
    if (encrypting) {
      throwOpenSslError(ErrorCode::InternalError, "AES encryption failed");
    }
    throwOpaque(ErrorCode::CryptographicFailure, "decryption failed");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(finalWritten));
  return out;
}

}  // namespace

SymmetricKey::SymmetricKey(SecretBytes key) : key_(key.begin(), key.end()) {
  if (key_.size() != 16 && key_.size() != 24 && key_.size() != 32) {
    throw Exception(ErrorCode::InvalidField,
                    "AES key must be 128, 192 or 256 bits, got " + std::to_string(key_.size() * 8) + " bits");
  }
}

EncryptResult SymmetricKey::encrypt(const CipherParams& params, ByteView plaintext) const {
  switch (params.mode) {
    case CipherMode::GCM:
      return encryptGcm(params, plaintext);
    case CipherMode::CBC:
    case CipherMode::ECB:
      return encryptBlock(params, plaintext);
    case CipherMode::None:
      break;
  }
  badParameters("AES encryption needs a block cipher mode (GCM, CBC or ECB)");
}

SecretBytes SymmetricKey::decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const {
  switch (params.mode) {
    case CipherMode::GCM:
      return decryptGcm(params, ciphertext, tag);
    case CipherMode::CBC:
    case CipherMode::ECB:
      return decryptBlock(params, ciphertext);
    case CipherMode::None:
      break;
  }
  badParameters("AES decryption needs a block cipher mode (GCM, CBC or ECB)");
}

EncryptResult SymmetricKey::encryptGcm(const CipherParams& params, ByteView plaintext) const {
  checkGcmTagLength(params.tagLength);
  EncryptResult result;
  if (params.iv) {
    checkGcmIv(*params.iv);
    result.iv = *params.iv;
  } else {
    result.iv.resize(kGcmDefaultIvSize);
    Random::nonce(result.iv);
  }

  const CipherCtxPtr ctx = newContext();
  initCipher(ctx.get(), Algorithms::aes(CipherMode::GCM, key_.size()), key_, result.iv, true, 1);

  int written = 0;
  if (!params.aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &written, params.aad.data(),
                                               checkedLength(params.aad.size(), "AAD")) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES-GCM AAD failed");
  }
  result.ciphertext.resize(plaintext.size());
  written = 0;
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), result.ciphertext.data(), &written, plaintext.data(),
                                              checkedLength(plaintext.size(), "plaintext")) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES-GCM encryption failed");
  }
  int finalWritten = 0;  // GCM is a stream mode: final writes nothing, it computes the tag
  if (EVP_EncryptFinal_ex(ctx.get(), result.ciphertext.data() + written, &finalWritten) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES-GCM encryption failed");
  }
  result.tag.resize(params.tagLength);
  // A shorter tag is the leading bytes of the full one (NIST SP 800-38D, 5.2.1.2).
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(params.tagLength), result.tag.data()) !=
      1) {
    throwOpenSslError(ErrorCode::InternalError, "cannot read the AES-GCM tag");
  }
  return result;
}

SecretBytes SymmetricKey::decryptGcm(const CipherParams& params, ByteView ciphertext, ByteView tag) const {
  if (!params.iv) {
    badParameters("AES-GCM decryption requires the IV");
  }
  checkGcmIv(*params.iv);
  if (tag.empty()) {
    badParameters("AES-GCM decryption requires the authentication tag");
  }
  checkGcmTagLength(params.tagLength);
  // A prefix of a valid tag is itself a valid shorter tag: accepting whatever length arrives
  // would let an attacker cut the tag to 4 bytes and forge with odds of 2^-32.
  if (tag.size() != params.tagLength) {
    badParameters("AES-GCM tag length differs from the expected tag length");
  }

  const CipherCtxPtr ctx = newContext();
  initCipher(ctx.get(), Algorithms::aes(CipherMode::GCM, key_.size()), key_, *params.iv, true, 0);

  int written = 0;
  if (!params.aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &written, params.aad.data(),
                                               checkedLength(params.aad.size(), "AAD")) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES-GCM AAD failed");
  }
  SecretBytes plaintext(ciphertext.size());
  written = 0;
  if (!ciphertext.empty() && EVP_DecryptUpdate(ctx.get(), plaintext.data(), &written, ciphertext.data(),
                                               checkedLength(ciphertext.size(), "ciphertext")) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES-GCM decryption failed");
  }
  // The provider copies the tag; the ctrl interface only lacks a const overload.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                          const_cast<std::uint8_t*>(tag.data())) != 1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "cannot set the AES-GCM tag");
  }
  int finalWritten = 0;
  // Until this check passes the plaintext is unauthenticated: it is never returned before,
  // and SecretBytes wipes it when we throw.
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + written, &finalWritten) != 1) {
    throwOpaque(ErrorCode::CryptographicFailure, "AES-GCM authentication failed");
  }
  return plaintext;
}

EncryptResult SymmetricKey::encryptBlock(const CipherParams& params, ByteView plaintext) const {
  checkBlockPadding(params.padding);
  if (params.padding == Padding::None && plaintext.size() % kBlockSize != 0) {
    badParameters("without padding the plaintext must be a multiple of 16 bytes");
  }
  EncryptResult result;
  if (params.mode == CipherMode::CBC) {
    if (params.iv) {
      if (params.iv->size() != kBlockSize) {
        badParameters("AES-CBC IV must be 16 bytes");
      }
      result.iv = *params.iv;
    } else {
      result.iv.resize(kBlockSize);
      Random::nonce(result.iv);
    }
  }
  const CipherCtxPtr ctx = newContext();
  initCipher(ctx.get(), Algorithms::aes(params.mode, key_.size()), key_, result.iv, false, 1);
  EVP_CIPHER_CTX_set_padding(ctx.get(), params.padding == Padding::Pkcs5 ? 1 : 0);
  result.ciphertext = runBlockCipher<Bytes>(ctx.get(), plaintext, true);
  return result;
}

SecretBytes SymmetricKey::decryptBlock(const CipherParams& params, ByteView ciphertext) const {
  checkBlockPadding(params.padding);
  ByteView iv;
  if (params.mode == CipherMode::CBC) {
    if (!params.iv) {
      badParameters("AES-CBC decryption requires the IV");
    }
    if (params.iv->size() != kBlockSize) {
      badParameters("AES-CBC IV must be 16 bytes");
    }
    iv = *params.iv;
  }
  if (ciphertext.size() % kBlockSize != 0) {
    throw Exception(ErrorCode::CryptographicFailure, "ciphertext length is not a multiple of 16 bytes");
  }
  const CipherCtxPtr ctx = newContext();
  initCipher(ctx.get(), Algorithms::aes(params.mode, key_.size()), key_, iv, false, 0);
  EVP_CIPHER_CTX_set_padding(ctx.get(), params.padding == Padding::Pkcs5 ? 1 : 0);
  return runBlockCipher<SecretBytes>(ctx.get(), ciphertext, false);
}

Bytes SymmetricKey::sign(const SignParams& /*params*/, ByteView /*data*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an AES key cannot sign");
}

bool SymmetricKey::verify(const SignParams& /*params*/, ByteView /*data*/, ByteView /*signature*/) const {
  throw Exception(ErrorCode::IllegalObjectType, "an AES key cannot verify signatures");
}

}  // namespace kms::keys
