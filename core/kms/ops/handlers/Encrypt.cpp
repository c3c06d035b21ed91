// Encrypt (KMIP 2.1 6.1.17), single-part. AES (GCM, CBC, ECB) and RSA (OAEP, PKCS#1 v1.5);
// parameters and defaults as in CryptoParametersReader.hpp. The key must be Active with
// Encrypt in its usage mask. The response carries IVCounterNonce only when the server made
// the IV, and AuthenticatedEncryptionTag for GCM.
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"

namespace kms::ops::handlers {

Ttlv encrypt(OperationContext& ctx, const Ttlv& payload) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "multi-part Encrypt is not supported");
  }
  const auto uid = ctx.uidOrPlaceholder(payload);
  if (hsm::UidParser::isHsmUid(uid)) return hsmkeys::encrypt(ctx, payload, uid);
  const auto shared = ctx.objects.loadShared(uid, ctx.request.user, "encrypt");
  const objects::ManagedObject& managed = *shared;
  crypto::requireActive(managed, "Encrypt");
  crypto::requireUsage(managed, kmip::CryptographicUsageMask::Encrypt, "Encrypt");
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::AES);
  const auto request = crypto::cipherParams(algorithm, crypto::effective(payload, managed.attributes), payload,
                                            crypto::Direction::Encrypt);
  const auto key = ctx.keys.of(ctx, managed);
  const auto& data = payload.at("Data").asBytes();
  auto result = key->encrypt(request.params, data);

  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", managed.uid),
                          Ttlv::byteString("Data", std::move(result.ciphertext))};
  if (request.returnIv && !result.iv.empty()) items.push_back(Ttlv::byteString("IVCounterNonce", std::move(result.iv)));
  if (!result.tag.empty()) items.push_back(Ttlv::byteString("AuthenticatedEncryptionTag", std::move(result.tag)));
  return attributes::responsePayload(std::move(items));
}

}  // namespace kms::ops::handlers
