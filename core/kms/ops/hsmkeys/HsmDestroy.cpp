// Destroy of an HSM key: no Revoke first (an HSM key has no KMIP lifecycle kmsd could keep), the
// object leaves the token and the grants on it are dropped, so that a new key under the same
// UID does not inherit them.
#include "kms/Exception.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::hsmkeys {

Ttlv destroy(OperationContext& ctx, const Ttlv& payload) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "destroy");
  key.instance->destroy(key.ref());
  auto& store = ctx.objects.store();
  for (const auto& entry : store.listAccess(key.canonical)) store.revoke(key.canonical, entry.user, entry.operations);
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", uid)});
}

}  // namespace kms::ops::hsmkeys
