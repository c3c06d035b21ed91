#pragma once
// The usable key of a database object: loaded once (the cached object itself when there is
// one), checked for the operation (lifecycle state, usage mask), then used through
// crypto::UsableKeys (the unwrapped-key cache: a hit decodes nothing and calls no HSM).
#include <memory>
#include <string>

#include "kms/ops/OperationContext.hpp"
#include "kms/ops/crypto/UsableKey.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::crypto {

class DatabaseUsableKey final : public UsableKey {
 public:
  // NotFound when the object is missing or the caller lacks the operation's right (the
  // repository's one answer); WrongKeyLifecycleState / IncompatibleUsageMask when the object
  // may not serve the operation.
  DatabaseUsableKey(OperationContext& ctx, const std::string& uid, KeyOperation operation);

  [[nodiscard]] keys::EncryptResult encrypt(const kmip::Ttlv& payload) const override;
  [[nodiscard]] keys::SecretBytes decrypt(const kmip::Ttlv& payload) const override;
  [[nodiscard]] keys::Bytes sign(const kmip::Ttlv& payload) const override;
  [[nodiscard]] bool verify(const kmip::Ttlv& payload) const override;
  // HMAC keys only (IllegalObjectType otherwise), with their own digest: CryptographicParameters
  // naming another CryptographicAlgorithm are BadCryptographicParameters.
  [[nodiscard]] keys::Bytes mac(const kmip::Ttlv& payload) const override;
  [[nodiscard]] bool macVerify(const kmip::Ttlv& payload) const override;

 private:
  DatabaseUsableKey(OperationContext& ctx, std::shared_ptr<const objects::ManagedObject> object,
                    KeyOperation operation);

  OperationContext& ctx_;
  std::shared_ptr<const objects::ManagedObject> object_;
};

}  // namespace kms::ops::crypto
