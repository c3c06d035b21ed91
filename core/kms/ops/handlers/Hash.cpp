// Hash (KMIP 2.1 6.1.24), single-part: the digest of Data under the CryptographicParameters'
// HashingAlgorithm (SHA-1 and SHA-2; others FeatureNotSupported). It touches no object, so
// any authenticated caller may use it.

#include "kms/Exception.hpp"
#include "kms/keys/Digest.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/crypto/MultiPart.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv hash(OperationContext& /*ctx*/, const Ttlv& payload) {
  crypto::refuseMultiPart(payload, "Hash");
  const auto* params = payload.find("CryptographicParameters");
  if (params == nullptr) throw Exception(ErrorCode::MissingData, "Hash needs CryptographicParameters");
  const auto* algorithm = params->find("HashingAlgorithm");
  if (algorithm == nullptr) {
    throw Exception(ErrorCode::MissingData, "Hash needs a HashingAlgorithm in its CryptographicParameters");
  }
  const auto* data = payload.find("Data");
  if (data == nullptr) throw Exception(ErrorCode::MissingData, "Hash needs Data");
  auto digest = keys::Digest::digest(crypto::hashOf(algorithm->asEnumeration()), data->asBytes());
  return attributes::responsePayload({Ttlv::byteString("Data", std::move(digest))});
}

}  // namespace kms::ops::handlers
