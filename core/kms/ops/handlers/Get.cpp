// Get (KMIP 2.1 6.1.19): the object, in the requested KeyFormatType (default: as stored).
// See objects::objectToReturn for the refusals (Sensitive, NotExtractable, destroyed).
// Database objects only: OperationTable routes an hsm:: UID to hsmkeys::get.
#include "kms/kmip/Enums.hpp"

#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::handlers {

Ttlv get(OperationContext& ctx, const Ttlv& payload) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  auto managed = ctx.objects.load(uid, ctx.request.user, "get");
  wrapping::KeyWrapper::unwrapIfAsked(ctx, managed, payload);
  auto object = objects::objectToReturn(managed, payload, false);
  return attributes::responsePayload({Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(managed.objectType)),
                                      Ttlv::textString("UniqueIdentifier", managed.uid), std::move(object)});
}

}  // namespace kms::ops::handlers
