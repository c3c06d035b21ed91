// Sign (KMIP 2.1 6.1.55), single-part: RSA PKCS#1 v1.5 or PSS over Data with SHA-1/2
// (parameters as in CryptoParametersReader.hpp). DigestedData (a pre-computed digest) is
// FeatureNotSupported. The key must be an Active private key with Sign in its usage mask.
#include "kms/kmip/Enums.hpp"

#include "kms/Exception.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"

namespace kms::ops::handlers {

Ttlv sign(OperationContext& ctx, const Ttlv& payload) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "multi-part Sign is not supported");
  }
  const auto uid = ctx.uidOrPlaceholder(payload);
  if (hsm::UidParser::isHsmUid(uid)) return hsmkeys::sign(ctx, payload, uid);
  const auto shared = ctx.objects.loadShared(uid, ctx.request.user, "sign");
  const objects::ManagedObject& managed = *shared;
  crypto::requireActive(managed, "Sign");
  crypto::requireUsage(managed, kmip::CryptographicUsageMask::Sign, "Sign");
  const auto* data = payload.find("Data");
  if (data == nullptr) {
    if (payload.find("DigestedData") != nullptr) {
      throw Exception(ErrorCode::FeatureNotSupported, "signing DigestedData is not supported; send Data");
    }
    throw Exception(ErrorCode::MissingData, "Sign needs Data");
  }
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::RSA);
  const auto params = crypto::signParams(algorithm, crypto::effective(payload, managed.attributes));
  const auto key = ctx.keys.of(ctx, managed);
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", managed.uid),
                                      Ttlv::byteString("SignatureData", key->sign(params, data->asBytes()))});
}

}  // namespace kms::ops::handlers
