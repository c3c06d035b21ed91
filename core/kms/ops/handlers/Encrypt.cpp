// Encrypt (KMIP 2.1 6.1.17), single-part. AES (GCM, CBC, ECB) and RSA (OAEP, PKCS#1 v1.5);
// parameters and defaults as in CryptoParametersReader.hpp. A database key must be Active with
// Encrypt in its usage mask; an HSM key encrypts with AES-GCM under an IV kmsd draws, or RSA
// (HsmUsableKey.hpp). The response carries IVCounterNonce only when the server made the IV,
// and AuthenticatedEncryptionTag for GCM.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv encrypt(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "Encrypt");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::Encrypt);
  auto result = key->encrypt(payload);
  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", key->uid()),
                          Ttlv::byteString("Data", std::move(result.ciphertext))};
  if (!result.iv.empty()) items.push_back(Ttlv::byteString("IVCounterNonce", std::move(result.iv)));
  if (!result.tag.empty()) items.push_back(Ttlv::byteString("AuthenticatedEncryptionTag", std::move(result.tag)));
  return attributes::responsePayload(std::move(items));
}

}  // namespace kms::ops::handlers
