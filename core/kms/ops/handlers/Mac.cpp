// MAC (KMIP 2.1 6.1.30), single-part: HMAC-SHA-1/224/256/384/512 over Data with an HMAC key
// of the database (its CryptographicAlgorithm names the digest): an Active key with MACGenerate
// in its usage mask. Keys inside an HSM: FeatureNotSupported, after the access check.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv mac(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "MAC");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::Mac);
  auto data = key->mac(payload);
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", key->uid()), Ttlv::byteString("MACData", std::move(data))});
}

}  // namespace kms::ops::handlers
