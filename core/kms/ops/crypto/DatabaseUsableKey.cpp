#include "kms/kmip/Enums.hpp"

#include "kms/ops/crypto/DatabaseUsableKey.hpp"

#include "kms/Exception.hpp"
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
  }
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

}  // namespace kms::ops::crypto
