#pragma once
// The one place a cryptographic request's key is found: the UID's form decides where it lives
// (hsm::... inside an HSM, anything else in the database), once per request, and the key comes
// back located, authorised and checked for the operation (see DatabaseUsableKey and
// hsmkeys::HsmUsableKey for what each checks, in which order).
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/crypto/ResolvedKey.hpp"
#include "kms/ops/crypto/UsableKey.hpp"

namespace kms::ops::crypto {

class KeyResolver {
 public:
  // The key of the payload's UniqueIdentifier (else the ID placeholder; MissingData when
  // neither exists) for `operation`.
  [[nodiscard]] static ResolvedKey resolve(OperationContext& ctx, const kmip::Ttlv& payload, KeyOperation operation);
};

}  // namespace kms::ops::crypto
