// Export (KMIP 2.1 6.1.18): Get plus all the object's Attributes. A destroyed object is
// exported without key material (its attributes only), as the spec says. Copies the uid into
// the ID placeholder.
// Database objects only: OperationTable routes an hsm:: UID to hsmkeys::exportKey.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::handlers {

Ttlv exportObject(OperationContext& ctx, const Ttlv& payload) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  auto managed = ctx.objects.load(uid, ctx.request.user, "export");
  wrapping::KeyWrapper::unwrapIfAsked(ctx, managed, payload);
  auto object = objects::objectToReturn(managed, payload, true);
  ctx.idPlaceholder = managed.uid;
  Ttlv attributes = Ttlv::structure("Attributes", managed.attributes.items());
  return attributes::responsePayload({Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(managed.objectType)),
                                      Ttlv::textString("UniqueIdentifier", managed.uid), std::move(attributes),
                                      std::move(object)});
}

}  // namespace kms::ops::handlers
