// Decrypt (KMIP 2.1 6.1.11), single-part; the mirror of Encrypt. GCM needs
// AuthenticatedEncryptionTag (MissingData otherwise); a wrong tag, IV, AAD or ciphertext is
// CryptographicFailure (CS-BC-M-GCM-1). A database key must be Active or Deactivated (data
// protected before a rotation stays readable) with Decrypt in its usage mask; an HSM key that
// wraps stored keys serves no Decrypt. RSA PKCS#1 v1.5 only when rsa_pkcs1v15_decrypt is set
// (DecryptPolicy.hpp), decided before the key is used.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/KeyResolver.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv decrypt(OperationContext& ctx, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "Decrypt");
  const auto key = crypto::KeyResolver::resolve(ctx, payload, crypto::KeyOperation::Decrypt);
  auto plaintext = key->decrypt(payload);
  return attributes::responsePayload(
      {Ttlv::textString("UniqueIdentifier", key->uid()), Ttlv::byteString("Data", std::move(plaintext))});
}

}  // namespace kms::ops::handlers
