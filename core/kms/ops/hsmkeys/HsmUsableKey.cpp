#include "kms/kmip/Enums.hpp"

#include "kms/ops/hsmkeys/HsmUsableKey.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/Random.hpp"
#include "kms/keys/RsaPublicKey.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/crypto/DecryptPolicy.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::hsmkeys {
namespace {

using crypto::KeyOperation;
using kmip::Ttlv;

constexpr std::size_t kGcmIvBytes = 12;

struct Prepared {
  hsm::CryptParams params;
  bool returnIv = false;
  std::size_t tagLength = 0;  // AES-GCM: the tag ends the driver's ciphertext
};

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

[[noreturn]] void refuseMac(const std::string& uid) {
  throw Exception(ErrorCode::FeatureNotSupported,
                  fmt::format("{}: MAC with a key inside an HSM is not supported yet", uid));
}

HsmKey opened(OperationContext& ctx, const std::string& uid, KeyOperation operation, const Ttlv& payload) {
  if (operation == KeyOperation::Sign) (void)requiredData(payload, "Sign");
  if (operation == KeyOperation::SignatureVerify) (void)requiredData(payload, "Signature Verify");
  HsmKey key = HsmKeyAccess::open(ctx, uid, crypto::rightOf(operation));
  switch (operation) {
    case KeyOperation::Encrypt:
      break;
    case KeyOperation::Decrypt:
      refuseWrappingKey(ctx, key);
      break;
    case KeyOperation::Sign:
      if (key.info.type != hsm::KeyType::RsaPrivate) {
        throw Exception(ErrorCode::IllegalObjectType, fmt::format("{}: only an RSA private key signs", uid));
      }
      break;
    case KeyOperation::SignatureVerify:
      if (key.info.type != hsm::KeyType::RsaPrivate && key.info.type != hsm::KeyType::RsaPublic) {
        throw Exception(ErrorCode::IllegalObjectType, fmt::format("{}: only RSA keys verify signatures", uid));
      }
      break;
    case KeyOperation::Mac:
    case KeyOperation::MacVerify:
      refuseMac(uid);  // after the access check: a caller without the right learns nothing more
  }
  return key;
}

}  // namespace

HsmUsableKey::HsmUsableKey(OperationContext& ctx, const std::string& uid, KeyOperation operation, const Ttlv& payload)
    : OpenedHsmKey{opened(ctx, uid, operation, payload)}, UsableKey(OpenedHsmKey::key.given), ctx_(ctx) {}

keys::EncryptResult HsmUsableKey::encrypt(const Ttlv& payload) const {
  const auto& key = this->key();
  const auto prepared = prepare(ctx_, key, payload, crypto::Direction::Encrypt);
  auto out = key.instance->encrypt(key.ref(), prepared.params, payload.at("Data").asBytes());
  keys::EncryptResult result;
  if (prepared.tagLength > 0) {
    if (out.size() < prepared.tagLength) {
      throw Exception(ErrorCode::InternalError,
                      fmt::format("{}: the driver returned no GCM tag", key.instance->prefix()));
    }
    result.tag.assign(out.end() - static_cast<std::ptrdiff_t>(prepared.tagLength), out.end());
    out.resize(out.size() - prepared.tagLength);
    if (prepared.returnIv) result.iv = prepared.params.iv;
  }
  result.ciphertext = std::move(out);
  return result;
}

keys::SecretBytes HsmUsableKey::decrypt(const Ttlv& payload) const {
  const auto& key = this->key();
  const auto prepared = prepare(ctx_, key, payload, crypto::Direction::Decrypt);
  keys::Bytes input = payload.at("Data").asBytes();
  if (prepared.tagLength > 0) {
    const auto* tag = payload.find("AuthenticatedEncryptionTag");
    if (tag == nullptr) throw Exception(ErrorCode::MissingData, "GCM decryption needs the AuthenticatedEncryptionTag");
    // The driver takes ciphertext || tag, as PKCS#11 C_Decrypt does.
    input.insert(input.end(), tag->asBytes().begin(), tag->asBytes().end());
  }
  return key.instance->decrypt(key.ref(), prepared.params, input);
}

keys::Bytes HsmUsableKey::sign(const Ttlv& payload) const {
  const auto& key = this->key();
  return key.instance->sign(key.ref(), signParams(payload), requiredData(payload, "Sign").asBytes());
}

bool HsmUsableKey::verify(const Ttlv& payload) const {
  const auto& key = this->key();
  const auto& data = requiredData(payload, "Signature Verify");
  // Verification needs no secret: the public key (always exportable) verifies here, saving the
  // HSM a call it has no function for.
  hsm::KeyRef publicRef = key.ref();
  if (key.info.type == hsm::KeyType::RsaPrivate) publicRef.label += hsm::UidParser::kPublicSuffix;
  const auto der = key.instance->exportKey(publicRef, hsm::ExportFormat::Pkcs1);
  const auto publicKey = keys::RsaPublicKey::fromPkcs1Der(keys::ByteView(der.data(), der.size()));
  const auto params = crypto::signParams(kmip::CryptographicAlgorithm::RSA, payload.find("CryptographicParameters"));
  return publicKey.verify(params, data.asBytes(), payload.at("SignatureData").asBytes());
}

keys::Bytes HsmUsableKey::mac(const Ttlv& /*payload*/) const {
  refuseMac(uid());
}

bool HsmUsableKey::macVerify(const Ttlv& /*payload*/) const {
  refuseMac(uid());
}

}  // namespace kms::ops::hsmkeys
