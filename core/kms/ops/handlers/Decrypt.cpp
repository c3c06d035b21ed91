// Decrypt (KMIP 2.1 6.1.11), single-part; the mirror of Encrypt. GCM needs
// AuthenticatedEncryptionTag (MissingData otherwise); a wrong tag, IV, AAD or ciphertext is
// CryptographicFailure (CS-BC-M-GCM-1). The key must be Active or Deactivated (data protected
// before a rotation stays readable) with Decrypt in its usage mask. RSA PKCS#1 v1.5 only when
// rsa_pkcs1v15_decrypt is set (DecryptPolicy.hpp), decided before the key is used.
#include "kms/kmip/Enums.hpp"

#include "kms/Exception.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/crypto/DecryptPolicy.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"

namespace kms::ops::handlers {

Ttlv decrypt(OperationContext& ctx, const Ttlv& payload) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "multi-part Decrypt is not supported");
  }
  const auto uid = ctx.uidOrPlaceholder(payload);
  if (hsm::UidParser::isHsmUid(uid)) return hsmkeys::decrypt(ctx, payload, uid);
  const auto shared = ctx.objects.loadShared(uid, ctx.request.user, "decrypt");
  const objects::ManagedObject& managed = *shared;
  crypto::requireProcessable(managed, "Decrypt");
  crypto::requireUsage(managed, kmip::CryptographicUsageMask::Decrypt, "Decrypt");
  const auto algorithm = objects::algorithmOf(managed).value_or(kmip::CryptographicAlgorithm::AES);
  const auto request = crypto::cipherParams(algorithm, crypto::effective(payload, managed.attributes), payload,
                                            crypto::Direction::Decrypt);
  if (algorithm == kmip::CryptographicAlgorithm::RSA)
    crypto::DecryptPolicy::checkRsaPadding(ctx, request.params.padding);
  keys::Bytes tag;
  if (const auto* t = payload.find("AuthenticatedEncryptionTag")) tag = t->asBytes();
  if (algorithm == kmip::CryptographicAlgorithm::AES && request.params.mode == keys::CipherMode::GCM && tag.empty()) {
    throw Exception(ErrorCode::MissingData, "GCM decryption needs the AuthenticatedEncryptionTag");
  }
  const auto key = ctx.keys.of(ctx, managed);
  const auto plaintext = key->decrypt(request.params, payload.at("Data").asBytes(), tag);
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", managed.uid),
                                      Ttlv::byteString("Data", keys::Bytes(plaintext.begin(), plaintext.end()))});
}

}  // namespace kms::ops::handlers
