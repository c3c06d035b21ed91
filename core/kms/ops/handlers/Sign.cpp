// Sign (KMIP 2.1 6.1.55), single-part: RSA PKCS#1 v1.5 or PSS over Data with SHA-1/2
// (parameters as in CryptoParametersReader.hpp). DigestedData (a pre-computed digest) is
// FeatureNotSupported. A database key must be an Active private key with Sign in its usage
// mask; an HSM key must be an RSA private key.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv sign(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "Sign");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::Sign);
  auto signature = key->sign(payload);
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", key->uid()), Ttlv::byteString("SignatureData", std::move(signature))});
}

}  // namespace kms::ops::handlers
