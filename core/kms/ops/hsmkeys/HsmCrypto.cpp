// Encrypt, Decrypt, Sign and SignatureVerify with HSM keys. The KMIP parameters are read by the
// same CryptoParametersReader as for database keys (same defaults: AES-GCM, RSA-OAEP SHA-256,
// PKCS#1 v1.5 SHA-256 signatures), then mapped onto the driver's algorithms. What the token
// lacks (SoftHSM2: OAEP with SHA-256) is refused by the driver with its reason.
//
// Two refusals protect keys and wrapped keys (issue 22):
// - Encrypt with an HSM AES key never takes the caller's IV: kmsd draws it. An HSM AES key may
//   wrap keys, and kmsd once wrapped with AES-GCM under a stored IV; GCM output for that IV is
//   the keystream that decrypts the wrapped key (docs/wrapped-keys.md).
// - RSA PKCS#1 v1.5 decryption only when rsa_pkcs1v15_decrypt is set (a Bleichenbacher
//   oracle otherwise), refused before the HSM sees the ciphertext (see DecryptPolicy.hpp).
// - A key that wraps stored keys serves no Decrypt: its plaintexts would be those keys (an
//   RSA-OAEP wrap, or an old AES-GCM one, decrypts like any ciphertext). Key-usage separation:
//   decrypting with such a key is the server's own unwrapping, never a caller's.
#include "kms/kmip/Enums.hpp"  // first: the ItemType shim must precede kmip/Enums.hpp

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/Random.hpp"
#include "kms/keys/RsaPublicKey.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/crypto/DecryptPolicy.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::hsmkeys {
namespace {

constexpr std::size_t kGcmIvBytes = 12;

struct Prepared {
  hsm::CryptParams params;
  bool returnIv = false;
  std::size_t tagLength = 0;  // AES-GCM: the tag ends the driver's ciphertext
};

void refuseMultiPart(const Ttlv& payload, std::string_view operation) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, fmt::format("multi-part {} is not supported", operation));
  }
}

Prepared prepare(const OperationContext& ctx, const HsmKey& key, const Ttlv& payload, crypto::Direction direction) {
  const auto algorithm = HsmKeyAttributes::algorithm(key.info);
  const auto request = crypto::cipherParams(algorithm, payload.find("CryptographicParameters"), payload, direction);
  Prepared out;
  const auto& p = request.params;
  if (algorithm == kmip::CryptographicAlgorithm::AES) {
    if (p.mode != keys::CipherMode::GCM) {
      throw Exception(ErrorCode::FeatureNotSupported, fmt::format("{}: HSM AES keys support AES-GCM only", key.given));
    }
    out.params.mechanism = hsm::Mechanism::AesGcm;
    out.params.tagLength = static_cast<std::uint32_t>(p.tagLength);
    out.params.aad = p.aad;
    out.tagLength = p.tagLength;
    if (direction == crypto::Direction::Decrypt) {
      out.params.iv = p.iv.value_or(keys::Bytes{});
      return out;
    }
    if (!request.returnIv) {
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("{}: kmsd draws the IV of every encryption with an HSM AES key; IVCounterNonce "
                                  "is refused (no caller may obtain output for an IV of their choice under a "
                                  "key that may wrap keys)",
                                  key.given));
    }
    // An IVLength asked for: readIv drew that many bytes; else the 12 bytes GCM is made for.
    out.params.iv = p.iv ? *p.iv : keys::Random::bytes(kGcmIvBytes);
    out.returnIv = true;
    return out;
  }
  if (p.padding == keys::Padding::Oaep) {
    if (!p.oaepLabel.empty()) {
      throw Exception(ErrorCode::FeatureNotSupported, "an RSA-OAEP label is not supported with HSM keys");
    }
    out.params.mechanism = hsm::Mechanism::RsaOaep;
    out.params.hash = p.hash;
    out.params.mgfHash = p.mgfHash;
  } else {
    if (direction == crypto::Direction::Decrypt) crypto::DecryptPolicy::checkRsaPadding(ctx, p.padding);
    out.params.mechanism = hsm::Mechanism::RsaPkcs1;
  }
  return out;
}

hsm::CryptParams signParams(const Ttlv& payload) {
  const auto params = crypto::signParams(kmip::CryptographicAlgorithm::RSA, payload.find("CryptographicParameters"));
  hsm::CryptParams out;
  out.mechanism = params.padding == keys::Padding::Pss ? hsm::Mechanism::RsaPss : hsm::Mechanism::RsaPkcs1Sign;
  out.hash = params.hash;
  out.mgfHash = params.mgfHash;
  out.saltLength = static_cast<std::uint32_t>(params.pssSaltLength.value_or(0));
  return out;
}

const Ttlv& requiredData(const Ttlv& payload, std::string_view operation) {
  const auto* data = payload.find("Data");
  if (data == nullptr) {
    if (payload.find("DigestedData") != nullptr) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("{} of DigestedData is not supported; send Data", operation));
    }
    throw Exception(ErrorCode::MissingData, fmt::format("{} needs Data", operation));
  }
  return *data;
}

}  // namespace

Ttlv encrypt(OperationContext& ctx, const Ttlv& payload, const std::string& uid) {
  refuseMultiPart(payload, "Encrypt");
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "encrypt");
  const auto prepared = prepare(ctx, key, payload, crypto::Direction::Encrypt);
  auto out = key.instance->encrypt(key.ref(), prepared.params, payload.at("Data").asBytes());
  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid)};
  if (prepared.tagLength > 0) {
    if (out.size() < prepared.tagLength) {
      throw Exception(ErrorCode::InternalError,
                      fmt::format("{}: the driver returned no GCM tag", key.instance->prefix()));
    }
    keys::Bytes tag(out.end() - static_cast<std::ptrdiff_t>(prepared.tagLength), out.end());
    out.resize(out.size() - prepared.tagLength);
    items.push_back(Ttlv::byteString("Data", std::move(out)));
    if (prepared.returnIv) items.push_back(Ttlv::byteString("IVCounterNonce", prepared.params.iv));
    items.push_back(Ttlv::byteString("AuthenticatedEncryptionTag", std::move(tag)));
  } else {
    items.push_back(Ttlv::byteString("Data", std::move(out)));
  }
  return attributes::responsePayload(std::move(items));
}

// Objects kmsd stored wrapped under this key (or under its public half "<uid>_pk"), found
// through the store's index on the wrapping key: one row is enough to refuse.
void refuseWrappingKey(OperationContext& ctx, const HsmKey& key) {
  for (const auto& wrapping : {key.canonical, key.canonical + "_pk"}) {
    store::LocateQuery query;
    query.wrappingKey = wrapping;
    query.limit = 1;
    if (!ctx.objects.store().locate(query).empty()) {
      throw Exception(ErrorCode::PermissionDenied,
                      fmt::format("{}: this key wraps keys kmsd stores and serves no Decrypt (its plaintexts would "
                                  "be those keys); use another key for data",
                                  key.given));
    }
  }
}

Ttlv decrypt(OperationContext& ctx, const Ttlv& payload, const std::string& uid) {
  refuseMultiPart(payload, "Decrypt");
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "decrypt");
  refuseWrappingKey(ctx, key);
  const auto prepared = prepare(ctx, key, payload, crypto::Direction::Decrypt);
  keys::Bytes input = payload.at("Data").asBytes();
  if (prepared.tagLength > 0) {
    const auto* tag = payload.find("AuthenticatedEncryptionTag");
    if (tag == nullptr) throw Exception(ErrorCode::MissingData, "GCM decryption needs the AuthenticatedEncryptionTag");
    // The driver takes ciphertext || tag, as PKCS#11 C_Decrypt does.
    input.insert(input.end(), tag->asBytes().begin(), tag->asBytes().end());
  }
  const auto plain = key.instance->decrypt(key.ref(), prepared.params, input);
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", uid), Ttlv::byteString("Data", keys::Bytes(plain.begin(), plain.end()))});
}

Ttlv sign(OperationContext& ctx, const Ttlv& payload, const std::string& uid) {
  refuseMultiPart(payload, "Sign");
  const auto& data = requiredData(payload, "Sign");
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "sign");
  if (key.info.type != hsm::KeyType::RsaPrivate) {
    throw Exception(ErrorCode::IllegalObjectType, fmt::format("{}: only an RSA private key signs", uid));
  }
  auto signature = key.instance->sign(key.ref(), signParams(payload), data.asBytes());
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", uid), Ttlv::byteString("SignatureData", std::move(signature))});
}

Ttlv signatureVerify(OperationContext& ctx, const Ttlv& payload, const std::string& uid) {
  refuseMultiPart(payload, "SignatureVerify");
  const auto& data = requiredData(payload, "Signature Verify");
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "signatureverify");
  if (key.info.type != hsm::KeyType::RsaPrivate && key.info.type != hsm::KeyType::RsaPublic) {
    throw Exception(ErrorCode::IllegalObjectType, fmt::format("{}: only RSA keys verify signatures", uid));
  }
  // Verification needs no secret: the public key (always exportable) verifies here, saving the
  // HSM a call it has no function for.
  hsm::KeyRef publicRef = key.ref();
  if (key.info.type == hsm::KeyType::RsaPrivate) publicRef.label += hsm::UidParser::kPublicSuffix;
  const auto der = key.instance->exportKey(publicRef, hsm::ExportFormat::Pkcs1);
  const auto publicKey = keys::RsaPublicKey::fromPkcs1Der(keys::ByteView(der.data(), der.size()));
  const auto params = crypto::signParams(kmip::CryptographicAlgorithm::RSA, payload.find("CryptographicParameters"));
  const bool valid = publicKey.verify(params, data.asBytes(), payload.at("SignatureData").asBytes());
  const auto indicator = valid ? kmip::ValidityIndicator::Valid : kmip::ValidityIndicator::Invalid;
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", uid),
                                      Ttlv::enumeration("ValidityIndicator", static_cast<std::uint32_t>(indicator))});
}

}  // namespace kms::ops::hsmkeys
