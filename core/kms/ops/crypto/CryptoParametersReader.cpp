#include "kms/ops/crypto/CryptoParametersReader.hpp"

#include <string>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/Random.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::ops::crypto {
namespace {

using kmip::Ttlv;

const Ttlv* field(const Ttlv* params, std::string_view tag) {
  return params != nullptr ? params->find(tag) : nullptr;
}

keys::CipherMode modeOf(const Ttlv* params) {
  const auto* mode = field(params, "BlockCipherMode");
  if (mode == nullptr) return keys::CipherMode::GCM;
  switch (static_cast<kmip::BlockCipherMode>(mode->asEnumeration())) {
    case kmip::BlockCipherMode::GCM:
      return keys::CipherMode::GCM;
    case kmip::BlockCipherMode::CBC:
      return keys::CipherMode::CBC;
    case kmip::BlockCipherMode::ECB:
      return keys::CipherMode::ECB;
    default:
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("BlockCipherMode {} is not supported (GCM, CBC, ECB are)",
                                  kmip::Dictionary::enumText("BlockCipherMode", mode->asEnumeration())));
  }
}

std::size_t gcmTagLength(const Ttlv* params) {
  const auto* tagLength = field(params, "TagLength");
  if (tagLength == nullptr) return 16;
  const auto value = tagLength->asInteger();
  if (value < 4 || value > 16) {
    // CS-BC-M-GCM-1 expects GeneralFailure for tag lengths 1 and 32.
    throw Exception(ErrorCode::GeneralFailure, fmt::format("invalid GCM tag length {} (4 to 16 bytes)", value));
  }
  return static_cast<std::size_t>(value);
}

void readIv(const Ttlv& payload, const Ttlv* params, keys::CipherMode mode, Direction direction, CipherRequest& out) {
  const auto* iv = payload.find("IVCounterNonce");
  if (mode == keys::CipherMode::ECB) return;  // no IV; one given is ignored
  if (iv != nullptr) {
    out.params.iv = iv->asBytes();
    if (out.params.iv->empty()) {
      throw Exception(ErrorCode::InvalidField, "IVCounterNonce is empty");
    }
    if (mode == keys::CipherMode::CBC && out.params.iv->size() != 16) {
      throw Exception(ErrorCode::InvalidField, "CBC needs a 16-byte IVCounterNonce");
    }
    return;
  }
  if (direction == Direction::Decrypt) {
    throw Exception(ErrorCode::MissingData, "IVCounterNonce is required to decrypt in this mode");
  }
  out.returnIv = true;
  const auto* ivLength = field(params, "IVLength");  // bits
  if (ivLength != nullptr && mode == keys::CipherMode::GCM) {
    const auto bits = ivLength->asInteger();
    if (bits <= 0 || bits % 8 != 0 || bits > 1024) {
      throw Exception(ErrorCode::BadCryptographicParameters, fmt::format("invalid IVLength {} bits", bits));
    }
    out.params.iv = keys::Random::bytes(static_cast<std::size_t>(bits / 8));
  }
  // else: the key generates it (12 bytes for GCM, 16 for CBC) and returns it.
}

keys::Padding blockPadding(const Ttlv* params) {
  const auto* padding = field(params, "PaddingMethod");
  if (padding == nullptr) return keys::Padding::None;
  switch (static_cast<kmip::PaddingMethod>(padding->asEnumeration())) {
    case kmip::PaddingMethod::None:
      return keys::Padding::None;
    case kmip::PaddingMethod::PKCS5:
      return keys::Padding::Pkcs5;
    default:
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("PaddingMethod {} is not supported for AES (None, PKCS5 are)",
                                  kmip::Dictionary::enumText("PaddingMethod", padding->asEnumeration())));
  }
}

}  // namespace

void checkAlgorithm(kmip::CryptographicAlgorithm keyAlgorithm, const kmip::Ttlv* params) {
  const auto* algorithm = field(params, "CryptographicAlgorithm");
  if (algorithm != nullptr && algorithm->asEnumeration() != static_cast<std::uint32_t>(keyAlgorithm)) {
    throw Exception(
        ErrorCode::BadCryptographicParameters,
        fmt::format("CryptographicParameters name {} but the key is {}",
                    kmip::Dictionary::enumText("CryptographicAlgorithm", algorithm->asEnumeration()),
                    kmip::Dictionary::enumText("CryptographicAlgorithm", static_cast<std::uint32_t>(keyAlgorithm))));
  }
}

const Ttlv* effective(const Ttlv& payload, const Ttlv& keyAttributes) {
  if (const auto* params = payload.find("CryptographicParameters")) return params;
  return keyAttributes.find("CryptographicParameters");
}

keys::Hash hashOf(std::uint32_t hashingAlgorithm) {
  switch (static_cast<kmip::HashingAlgorithm>(hashingAlgorithm)) {
    case kmip::HashingAlgorithm::SHA_1:
      return keys::Hash::Sha1;
    case kmip::HashingAlgorithm::SHA_224:
      return keys::Hash::Sha224;
    case kmip::HashingAlgorithm::SHA_256:
      return keys::Hash::Sha256;
    case kmip::HashingAlgorithm::SHA_384:
      return keys::Hash::Sha384;
    case kmip::HashingAlgorithm::SHA_512:
      return keys::Hash::Sha512;
    default:
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("HashingAlgorithm {} is not supported (SHA-1, SHA-224, SHA-256, SHA-384, "
                                  "SHA-512 are)",
                                  kmip::Dictionary::enumText("HashingAlgorithm", hashingAlgorithm)));
  }
}

CipherRequest cipherParams(kmip::CryptographicAlgorithm algorithm, const Ttlv* params, const Ttlv& payload,
                           Direction direction) {
  checkAlgorithm(algorithm, params);
  CipherRequest out;
  auto& p = out.params;
  if (algorithm == kmip::CryptographicAlgorithm::AES) {
    p.mode = modeOf(params);
    if (p.mode == keys::CipherMode::GCM) {
      p.padding = keys::Padding::None;
      p.tagLength = gcmTagLength(params);
      if (const auto* aad = payload.find("AuthenticatedEncryptionAdditionalData")) p.aad = aad->asBytes();
    } else {
      p.padding = blockPadding(params);
      if (payload.find("AuthenticatedEncryptionAdditionalData") != nullptr) {
        throw Exception(ErrorCode::BadCryptographicParameters,
                        "AuthenticatedEncryptionAdditionalData needs an authenticated mode (GCM)");
      }
    }
    if (const auto* randomIv = field(params, "RandomIV"); randomIv != nullptr && randomIv->asBoolean() &&
                                                          payload.find("IVCounterNonce") != nullptr &&
                                                          direction == Direction::Encrypt) {
      throw Exception(ErrorCode::BadCryptographicParameters, "RandomIV is true but an IVCounterNonce was given");
    }
    readIv(payload, params, p.mode, direction, out);
    return out;
  }
  if (algorithm == kmip::CryptographicAlgorithm::RSA) {
    p.mode = keys::CipherMode::None;
    const auto* padding = field(params, "PaddingMethod");
    const auto method =
        padding != nullptr ? static_cast<kmip::PaddingMethod>(padding->asEnumeration()) : kmip::PaddingMethod::OAEP;
    if (method == kmip::PaddingMethod::OAEP) {
      p.padding = keys::Padding::Oaep;
      const auto* hash = field(params, "HashingAlgorithm");
      p.hash = hash != nullptr ? hashOf(hash->asEnumeration()) : keys::Hash::Sha256;
      const auto* mgf = field(params, "MaskGenerator");
      if (mgf != nullptr && mgf->asEnumeration() != static_cast<std::uint32_t>(kmip::MaskGenerator::MFG1)) {
        throw Exception(ErrorCode::FeatureNotSupported, "only the MGF1 mask generator is supported");
      }
      const auto* mgfHash = field(params, "MaskGeneratorHashingAlgorithm");
      p.mgfHash = mgfHash != nullptr ? hashOf(mgfHash->asEnumeration()) : p.hash;
      if (const auto* label = field(params, "PSource")) p.oaepLabel = label->asBytes();
    } else if (method == kmip::PaddingMethod::PKCS1V1_5) {
      p.padding = keys::Padding::Pkcs1v15;
    } else {
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("PaddingMethod {} is not supported for RSA encryption (OAEP, PKCS1V1_5 are)",
                                  kmip::Dictionary::enumText("PaddingMethod", static_cast<std::uint32_t>(method))));
    }
    if (payload.find("AuthenticatedEncryptionAdditionalData") != nullptr) {
      throw Exception(ErrorCode::BadCryptographicParameters,
                      "AuthenticatedEncryptionAdditionalData does not apply to RSA");
    }
    return out;
  }
  throw Exception(
      ErrorCode::FeatureNotSupported,
      fmt::format("encryption with a {} key is not supported",
                  kmip::Dictionary::enumText("CryptographicAlgorithm", static_cast<std::uint32_t>(algorithm))));
}

keys::SignParams signParams(kmip::CryptographicAlgorithm algorithm, const Ttlv* params) {
  if (algorithm != kmip::CryptographicAlgorithm::RSA) {
    throw Exception(
        ErrorCode::FeatureNotSupported,
        fmt::format("signatures with a {} key are not supported",
                    kmip::Dictionary::enumText("CryptographicAlgorithm", static_cast<std::uint32_t>(algorithm))));
  }
  checkAlgorithm(algorithm, params);
  keys::SignParams out;
  bool hashFromAlgorithm = false;
  if (const auto* dsa = field(params, "DigitalSignatureAlgorithm")) {
    using D = kmip::DigitalSignatureAlgorithm;
    switch (static_cast<D>(dsa->asEnumeration())) {
      case D::SHA_1WithRSAEncryption:
        out.padding = keys::Padding::Pkcs1v15, out.hash = keys::Hash::Sha1, hashFromAlgorithm = true;
        break;
      case D::SHA_224WithRSAEncryption:
        out.padding = keys::Padding::Pkcs1v15, out.hash = keys::Hash::Sha224, hashFromAlgorithm = true;
        break;
      case D::SHA_256WithRSAEncryption:
        out.padding = keys::Padding::Pkcs1v15, out.hash = keys::Hash::Sha256, hashFromAlgorithm = true;
        break;
      case D::SHA_384WithRSAEncryption:
        out.padding = keys::Padding::Pkcs1v15, out.hash = keys::Hash::Sha384, hashFromAlgorithm = true;
        break;
      case D::SHA_512WithRSAEncryption:
        out.padding = keys::Padding::Pkcs1v15, out.hash = keys::Hash::Sha512, hashFromAlgorithm = true;
        break;
      case D::RSASSA_PSS:
        out.padding = keys::Padding::Pss;
        break;
      default:
        throw Exception(ErrorCode::FeatureNotSupported,
                        fmt::format("DigitalSignatureAlgorithm {} is not supported",
                                    kmip::Dictionary::enumText("DigitalSignatureAlgorithm", dsa->asEnumeration())));
    }
    if (const auto* padding = field(params, "PaddingMethod")) {
      const auto method = static_cast<kmip::PaddingMethod>(padding->asEnumeration());
      const bool agrees = (method == kmip::PaddingMethod::PSS && out.padding == keys::Padding::Pss) ||
                          (method == kmip::PaddingMethod::PKCS1V1_5 && out.padding == keys::Padding::Pkcs1v15);
      if (!agrees) {
        throw Exception(ErrorCode::BadCryptographicParameters,
                        "PaddingMethod contradicts the DigitalSignatureAlgorithm");
      }
    }
  } else if (const auto* padding = field(params, "PaddingMethod")) {
    switch (static_cast<kmip::PaddingMethod>(padding->asEnumeration())) {
      case kmip::PaddingMethod::PSS:
        out.padding = keys::Padding::Pss;
        break;
      case kmip::PaddingMethod::PKCS1V1_5:
        out.padding = keys::Padding::Pkcs1v15;
        break;
      default:
        throw Exception(ErrorCode::FeatureNotSupported,
                        fmt::format("PaddingMethod {} is not supported for RSA signatures (PSS, PKCS1V1_5 are)",
                                    kmip::Dictionary::enumText("PaddingMethod", padding->asEnumeration())));
    }
  }
  if (const auto* hash = field(params, "HashingAlgorithm")) {
    const auto named = hashOf(hash->asEnumeration());
    if (hashFromAlgorithm && named != out.hash) {
      throw Exception(ErrorCode::BadCryptographicParameters,
                      "HashingAlgorithm contradicts the DigitalSignatureAlgorithm");
    }
    out.hash = named;
  }
  const auto* mgfHash = field(params, "MaskGeneratorHashingAlgorithm");
  out.mgfHash = mgfHash != nullptr ? hashOf(mgfHash->asEnumeration()) : out.hash;
  if (const auto* salt = field(params, "SaltLength")) {
    if (salt->asInteger() < 0) throw Exception(ErrorCode::BadCryptographicParameters, "negative SaltLength");
    out.pssSaltLength = salt->asInteger();
  }
  return out;
}

}  // namespace kms::ops::crypto
