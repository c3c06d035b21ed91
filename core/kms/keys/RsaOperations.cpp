#include "kms/keys/RsaOperations.hpp"

#include <array>
#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kms/Exception.hpp"
#include "kms/keys/Algorithms.hpp"
#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {
namespace {

// OSSL_PARAM takes non-const pointers even for values it only reads.
char* mutableName(const char* name) {
  return const_cast<char*>(name);
}

// Validates the hash (throws for an out-of-range enumerator) and returns OpenSSL's name.
const char* checkedDigestName(Hash hash) {
  static_cast<void>(Algorithms::digest(hash));
  return Algorithms::digestName(hash);
}

PkeyCtxPtr newPkeyContext(EVP_PKEY* key) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) {
    throwOpenSslError(ErrorCode::InternalError, "cannot create an RSA context");
  }
  return ctx;
}

// At most 5 parameters plus the terminator.
using ParamList = std::array<OSSL_PARAM, 6>;

// Fills the padding parameters of an encryption or decryption; returns the largest plaintext
// the padding allows for a key of modulusBytes.
std::size_t cipherParams(const CipherParams& params, std::size_t modulusBytes, ParamList& out) {
  std::size_t n = 0;
  std::size_t overhead = 0;
  switch (params.padding) {
    case Padding::Oaep: {
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                                  mutableName(OSSL_PKEY_RSA_PAD_MODE_OAEP), 0);
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                                                  mutableName(checkedDigestName(params.hash)), 0);
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                                                  mutableName(checkedDigestName(params.mgfHash)), 0);
      if (!params.oaepLabel.empty()) {
        // The provider copies the label.
        out[n++] = OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                                     const_cast<std::uint8_t*>(params.oaepLabel.data()),
                                                     params.oaepLabel.size());
      }
      overhead = 2 * Algorithms::digestLength(params.hash) + 2;  // RFC 8017 7.1.1
      break;
    }
    case Padding::Pkcs1v15:
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE,
                                                  mutableName(OSSL_PKEY_RSA_PAD_MODE_PKCSV15), 0);
      overhead = 11;  // RFC 8017 7.2.1
      break;
    case Padding::None:
      // Raw RSA is malleable and leaks structure; no KMS client needs it.
      throw Exception(ErrorCode::FeatureNotSupported, "RSA without padding is not supported");
    case Padding::Pkcs5:
    case Padding::Pss:
      throw Exception(ErrorCode::BadCryptographicParameters, "RSA encryption takes OAEP or PKCS#1 v1.5 padding");
  }
  out[n] = OSSL_PARAM_construct_end();
  if (modulusBytes < overhead) {
    throw Exception(ErrorCode::BadCryptographicParameters, "RSA key too small for OAEP with this hash");
  }
  return modulusBytes - overhead;
}

void signatureParams(const SignParams& params, const EVP_PKEY* key, bool signing, ParamList& out, int& saltLength) {
  std::size_t n = 0;
  switch (params.padding) {
    case Padding::Pkcs1v15:
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
                                                  mutableName(OSSL_PKEY_RSA_PAD_MODE_PKCSV15), 0);
      break;
    case Padding::Pss: {
      out[n++] =
          OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, mutableName(OSSL_PKEY_RSA_PAD_MODE_PSS), 0);
      out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                                  mutableName(checkedDigestName(params.mgfHash)), 0);
      const int hashLength = static_cast<int>(Algorithms::digestLength(params.hash));
      // RFC 8017 9.1.1: emLen = ceil((modBits - 1) / 8) >= hLen + sLen + 2.
      const int emLength = (RsaOperations::modulusBits(key) - 1 + 7) / 8;
      const int maxSalt = emLength - hashLength - 2;
      if (params.pssSaltLength) {
        saltLength = *params.pssSaltLength;
        if (saltLength < 0 || saltLength > maxSalt) {
          throw Exception(ErrorCode::BadCryptographicParameters,
                          "PSS salt length must be 0 to " + std::to_string(maxSalt) + " bytes for this key and hash");
        }
        out[n++] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &saltLength);
      } else if (signing) {
        // The digest length, as RFC 8017 and FIPS 186-5 recommend (OpenSSL's default is the
        // maximum, which some verifiers refuse).
        saltLength = hashLength;
        if (saltLength > maxSalt) {
          throw Exception(ErrorCode::BadCryptographicParameters, "RSA key too small for PSS with this hash");
        }
        out[n++] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &saltLength);
      } else {
        // A verifier that was not told the salt length reads it from the signature: PSS
        // security does not depend on it, and signers (OpenSSL's default among them) differ.
        out[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
                                                    mutableName(OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO), 0);
      }
      break;
    }
    case Padding::None:
    case Padding::Pkcs5:
    case Padding::Oaep:
      throw Exception(ErrorCode::BadCryptographicParameters, "RSA signatures take PKCS#1 v1.5 or PSS padding");
  }
  out[n] = OSSL_PARAM_construct_end();
}

MdCtxPtr newDigestContext() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) {
    throwOpenSslError(ErrorCode::InternalError, "cannot allocate a digest context");
  }
  return ctx;
}

}  // namespace

int RsaOperations::modulusBits(const EVP_PKEY* key) {
  return EVP_PKEY_get_bits(key);
}

Bytes RsaOperations::encrypt(EVP_PKEY* key, const CipherParams& params, ByteView plaintext) {
  ParamList list{};
  const std::size_t maxPlaintext = cipherParams(params, static_cast<std::size_t>(EVP_PKEY_get_size(key)), list);
  if (plaintext.size() > maxPlaintext) {
    throw Exception(ErrorCode::InvalidField, "plaintext too long for this RSA key and padding (at most " +
                                                 std::to_string(maxPlaintext) + " bytes)");
  }
  const PkeyCtxPtr ctx = newPkeyContext(key);
  if (EVP_PKEY_encrypt_init_ex(ctx.get(), list.data()) != 1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "unusable RSA encryption parameters");
  }
  std::size_t size = static_cast<std::size_t>(EVP_PKEY_get_size(key));
  Bytes out(size);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &size, plaintext.data(), plaintext.size()) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "RSA encryption failed");
  }
  out.resize(size);
  return out;
}

SecretBytes RsaOperations::decrypt(EVP_PKEY* key, const CipherParams& params, ByteView ciphertext) {
  ParamList list{};
  static_cast<void>(cipherParams(params, static_cast<std::size_t>(EVP_PKEY_get_size(key)), list));
  const PkeyCtxPtr ctx = newPkeyContext(key);
  if (EVP_PKEY_decrypt_init_ex(ctx.get(), list.data()) != 1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "unusable RSA decryption parameters");
  }
  std::size_t size = static_cast<std::size_t>(EVP_PKEY_get_size(key));
  SecretBytes out(size);
  if (ciphertext.empty() || EVP_PKEY_decrypt(ctx.get(), out.data(), &size, ciphertext.data(), ciphertext.size()) != 1) {
    throwOpaque(ErrorCode::CryptographicFailure, "RSA decryption failed");
  }
  out.resize(size);
  return out;
}

Bytes RsaOperations::sign(EVP_PKEY* key, const SignParams& params, ByteView data) {
  ParamList list{};
  int saltLength = 0;
  signatureParams(params, key, true, list, saltLength);
  const MdCtxPtr ctx = newDigestContext();
  if (EVP_DigestSignInit_ex(ctx.get(), nullptr, checkedDigestName(params.hash), nullptr, nullptr, key, list.data()) !=
      1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "unusable RSA signature parameters");
  }
  std::size_t size = static_cast<std::size_t>(EVP_PKEY_get_size(key));
  Bytes signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, data.data(), data.size()) != 1) {
    throwOpenSslError(ErrorCode::CryptographicFailure, "RSA signature failed");
  }
  signature.resize(size);
  return signature;
}

Bytes RsaOperations::signDigest(EVP_PKEY* key, const SignParams& params, ByteView digest) {
  if (digest.size() != Algorithms::digestLength(params.hash)) {
    throw Exception(ErrorCode::InvalidField, "the digest's length is not that of the signature's hash");
  }
  ParamList list{};
  int saltLength = 0;
  signatureParams(params, key, true, list, saltLength);
  std::size_t end = 0;
  while (list[end].key != nullptr) ++end;
  list[end] =
      OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, mutableName(checkedDigestName(params.hash)), 0);
  list[end + 1] = OSSL_PARAM_construct_end();
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_sign_init_ex(ctx.get(), list.data()) != 1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "unusable RSA signature parameters");
  }
  std::size_t size = static_cast<std::size_t>(EVP_PKEY_get_size(key));
  Bytes signature(size);
  if (EVP_PKEY_sign(ctx.get(), signature.data(), &size, digest.data(), digest.size()) != 1) {
    throwOpenSslError(ErrorCode::CryptographicFailure, "RSA signature failed");
  }
  signature.resize(size);
  return signature;
}

bool RsaOperations::verify(EVP_PKEY* key, const SignParams& params, ByteView data, ByteView signature) {
  ParamList list{};
  int saltLength = 0;
  signatureParams(params, key, false, list, saltLength);
  const MdCtxPtr ctx = newDigestContext();
  if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, checkedDigestName(params.hash), nullptr, nullptr, key, list.data()) !=
      1) {
    throwOpenSslError(ErrorCode::BadCryptographicParameters, "unusable RSA signature parameters");
  }
  const bool valid = !signature.empty() &&
                     EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
  clearOpenSslErrors();  // a bad signature is an answer, not an error
  return valid;
}

}  // namespace kms::keys
