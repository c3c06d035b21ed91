#include "kms/ops/crypto/KeyResolver.hpp"

#include "kms/hsm/UidParser.hpp"

namespace kms::ops::crypto {

ResolvedKey KeyResolver::resolve(OperationContext& ctx, const kmip::Ttlv& payload, KeyOperation operation) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  // Returned as prvalues: the key is built in the caller's ResolvedKey, never moved.
  if (hsm::UidParser::isHsmUid(uid)) {
    return ResolvedKey(std::in_place_type<hsmkeys::HsmUsableKey>, ctx, uid, operation, payload);
  }
  return ResolvedKey(std::in_place_type<DatabaseUsableKey>, ctx, uid, operation);
}

}  // namespace kms::ops::crypto
