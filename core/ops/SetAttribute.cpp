// KMIP 2.1 section 6.1.51: creates the attribute, or replaces its single instance.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/AttributeEdit.hpp"
#include "kms/ops/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv setAttribute(OperationContext& ctx, const Ttlv& payload) {
  const Ttlv attribute = core::singleAttribute(payload.at("NewAttribute"));
  const auto key = core::keyOf(attribute);
  ManagedObject object = edit::load(ctx, payload, "setattribute");
  edit::checkWritable(ctx, object, key, attribute);
  const auto existing = core::instancesOf(object.attributes, key);
  if (existing.size() > 1) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("{} has {} instances; use ModifyAttribute with a CurrentAttribute", key.display(),
                                existing.size()));
  }
  if (existing.empty()) {
    object.attributes.add(attribute);
  } else {
    object.attributes.items()[existing.front()] = attribute;
  }
  edit::commit(ctx, object);
  return edit::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
