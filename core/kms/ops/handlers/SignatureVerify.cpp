// Signature Verify (KMIP 2.1 6.1.56), single-part: ValidityIndicator Valid or Invalid. A
// signature that does not verify is a successful operation answering Invalid. A database key
// must be Active or Deactivated with Verify in its usage mask (a public key, or a private key
// through its public half); an HSM key must be an RSA key (its public half verifies in kmsd).
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv signatureVerify(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "Signature Verify");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::SignatureVerify);
  const bool valid = key->verify(payload);
  const auto indicator = valid ? kmip::ValidityIndicator::Valid : kmip::ValidityIndicator::Invalid;
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", key->uid()),
                                      Ttlv::enumeration("ValidityIndicator", static_cast<std::uint32_t>(indicator))});
}

}  // namespace kms::ops::handlers
