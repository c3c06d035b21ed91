// MAC Verify (KMIP 2.1 6.1.31), single-part: ValidityIndicator Valid when MACData is the MAC
// of Data (compared in constant time), else Invalid. An Active or Deactivated HMAC key of the
// database with MACVerify in its usage mask; keys inside an HSM: FeatureNotSupported.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv macVerify(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "MACVerify");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::MacVerify);
  const bool valid = key->macVerify(payload);
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", key->uid()),
       Ttlv::enumeration("ValidityIndicator", static_cast<std::uint32_t>(valid ? kmip::ValidityIndicator::Valid
                                                                               : kmip::ValidityIndicator::Invalid))});
}

}  // namespace kms::ops::handlers
