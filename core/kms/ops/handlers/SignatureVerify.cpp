// Signature Verify (KMIP 2.1 6.1.56), single-part: ValidityIndicator Valid or Invalid. A
// signature that does not verify is a successful operation answering Invalid. The key must be
// Active or Deactivated with Verify in its usage mask (a public key, or a private key through its public half).
#include "kms/kmip/Enums.hpp"

#include "kms/Exception.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"

namespace kms::ops::handlers {

Ttlv signatureVerify(OperationContext& ctx, const Ttlv& payload) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "multi-part Signature Verify is not supported");
  }
  const auto uid = ctx.uidOrPlaceholder(payload);
  if (hsm::UidParser::isHsmUid(uid)) return hsmkeys::signatureVerify(ctx, payload, uid);
  // Access right: the lowercase operation name; Cosmian spells it "signatureverify".
  const auto shared = ctx.objects.loadShared(uid, ctx.request.user, "signatureverify");
  const objects::ManagedObject& managed = *shared;
  crypto::requireProcessable(managed, "SignatureVerify");
  crypto::requireUsage(managed, kmip::CryptographicUsageMask::Verify, "SignatureVerify");
  const auto* data = payload.find("Data");
  if (data == nullptr) {
    if (payload.find("DigestedData") != nullptr) {
      throw Exception(ErrorCode::FeatureNotSupported, "verifying DigestedData is not supported; send Data");
    }
    throw Exception(ErrorCode::MissingData, "Signature Verify needs Data");
  }
  const auto& signature = payload.at("SignatureData").asBytes();
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::RSA);
  const auto params = crypto::signParams(algorithm, crypto::effective(payload, managed.attributes));
  const auto key = ctx.keys.of(ctx, managed);
  const bool valid = key->verify(params, data->asBytes(), signature);
  const auto indicator = valid ? kmip::ValidityIndicator::Valid : kmip::ValidityIndicator::Invalid;
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", managed.uid),
                                      Ttlv::enumeration("ValidityIndicator", static_cast<std::uint32_t>(indicator))});
}

}  // namespace kms::ops::handlers
