#include "kms/kmip/Enums.hpp"

#include "kms/ops/crypto/DatabaseUsableKey.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/ConstantTime.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/crypto/DecryptPolicy.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"

namespace kms::ops::crypto {
namespace {

// Encrypt and Sign need an Active key; Decrypt and SignatureVerify also take a Deactivated one
// (UsageCheck.hpp).
void check(const objects::ManagedObject& object, KeyOperation operation) {
  switch (operation) {
    case KeyOperation::Encrypt:
      requireActive(object, "Encrypt");
      requireUsage(object, kmip::CryptographicUsageMask::Encrypt, "Encrypt");
      return;
    case KeyOperation::Decrypt:
      requireProcessable(object, "Decrypt");
      requireUsage(object, kmip::CryptographicUsageMask::Decrypt, "Decrypt");
      return;
    case KeyOperation::Sign:
      requireActive(object, "Sign");
      requireUsage(object, kmip::CryptographicUsageMask::Sign, "Sign");
      return;
    case KeyOperation::SignatureVerify:
      requireProcessable(object, "SignatureVerify");
      requireUsage(object, kmip::CryptographicUsageMask::Verify, "SignatureVerify");
      return;
    case KeyOperation::Mac:
      requireActive(object, "MAC");
      requireUsage(object, kmip::CryptographicUsageMask::MACGenerate, "MAC");
      return;
    case KeyOperation::MacVerify:
      requireProcessable(object, "MACVerify");
      requireUsage(object, kmip::CryptographicUsageMask::MACVerify, "MACVerify");
      return;
  }
}

// The object's HMAC algorithm, checked against the request's CryptographicParameters.
void checkHmac(const objects::ManagedObject& object, const kmip::Ttlv& payload, const char* operation) {
  const auto algorithm = objects::algorithmOf(object);
  if (!algorithm || !objects::hmacHash(*algorithm)) {
    throw Exception(ErrorCode::IllegalObjectType,
                    fmt::format("{}: object {} is not an HMAC key", operation, object.uid));
  }
  checkAlgorithm(*algorithm, payload.find("CryptographicParameters"));
}

const kmip::Ttlv& macData(const kmip::Ttlv& payload, const char* operation) {
  const auto* data = payload.find("Data");
  if (data == nullptr) throw Exception(ErrorCode::MissingData, fmt::format("{} needs Data", operation));
  return *data;
}

const kmip::Ttlv& signedData(const kmip::Ttlv& payload, KeyOperation operation) {
  const auto* data = payload.find("Data");
  if (data != nullptr) return *data;
  const bool signing = operation == KeyOperation::Sign;
  if (payload.find("DigestedData") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, signing ? "signing DigestedData is not supported; send Data"
                                                            : "verifying DigestedData is not supported; send Data");
  }
  throw Exception(ErrorCode::MissingData, signing ? "Sign needs Data" : "Signature Verify needs Data");
}

}  // namespace

DatabaseUsableKey::DatabaseUsableKey(OperationContext& ctx, const std::string& uid, KeyOperation operation)
    : DatabaseUsableKey(ctx, ctx.objects.loadShared(uid, ctx.request.user, rightOf(operation)), operation) {}

DatabaseUsableKey::DatabaseUsableKey(OperationContext& ctx, std::shared_ptr<const objects::ManagedObject> object,
                                     KeyOperation operation)
    : UsableKey(object->uid), ctx_(ctx), object_(std::move(object)) {
  check(*object_, operation);
}

keys::EncryptResult DatabaseUsableKey::encrypt(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::AES);
  const auto request = cipherParams(algorithm, effective(payload, managed.attributes), payload, Direction::Encrypt);
  const auto key = ctx_.keys.of(ctx_, managed);
  const auto& data = payload.at("Data").asBytes();
  auto result = key->encrypt(request.params, data);
  if (!request.returnIv) result.iv.clear();  // the caller's own IV is not answered
  return result;
}

keys::SecretBytes DatabaseUsableKey::decrypt(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::AES);
  const auto request = cipherParams(algorithm, effective(payload, managed.attributes), payload, Direction::Decrypt);
  if (algorithm == kmip::CryptographicAlgorithm::RSA) DecryptPolicy::checkRsaPadding(ctx_, request.params.padding);
  keys::Bytes tag;
  if (const auto* t = payload.find("AuthenticatedEncryptionTag")) tag = t->asBytes();
  if (algorithm == kmip::CryptographicAlgorithm::AES && request.params.mode == keys::CipherMode::GCM && tag.empty()) {
    throw Exception(ErrorCode::MissingData, "GCM decryption needs the AuthenticatedEncryptionTag");
  }
  const auto key = ctx_.keys.of(ctx_, managed);
  return key->decrypt(request.params, payload.at("Data").asBytes(), tag);
}

keys::Bytes DatabaseUsableKey::sign(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  const auto& data = signedData(payload, KeyOperation::Sign);
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::RSA);
  const auto params = signParams(algorithm, effective(payload, managed.attributes));
  const auto key = ctx_.keys.of(ctx_, managed);
  return key->sign(params, data.asBytes());
}

bool DatabaseUsableKey::verify(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  const auto& data = signedData(payload, KeyOperation::SignatureVerify);
  const auto& signature = payload.at("SignatureData").asBytes();
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::RSA);
  const auto params = signParams(algorithm, effective(payload, managed.attributes));
  const auto key = ctx_.keys.of(ctx_, managed);
  return key->verify(params, data.asBytes(), signature);
}

keys::Bytes DatabaseUsableKey::mac(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  checkHmac(managed, payload, "MAC");
  const auto& data = macData(payload, "MAC");
  return ctx_.keys.of(ctx_, managed)->mac(data.asBytes());
}

bool DatabaseUsableKey::macVerify(const kmip::Ttlv& payload) const {
  const auto& managed = *object_;
  checkHmac(managed, payload, "MACVerify");
  const auto& data = macData(payload, "MACVerify");
  const auto* expected = payload.find("MACData");
  if (expected == nullptr) throw Exception(ErrorCode::MissingData, "MACVerify needs MACData");
  const auto computed = ctx_.keys.of(ctx_, managed)->mac(data.asBytes());
  // Constant time: the comparison must not tell how many leading bytes of a forged MAC are right.
  return keys::constantTimeEquals(computed, expected->asBytes());
}

}  // namespace kms::ops::crypto
