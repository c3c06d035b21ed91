// KMIP 2.1 section 6.1.51: creates the attribute, or replaces its single instance.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv setAttribute(OperationContext& ctx, const Ttlv& payload) {
  const Ttlv attribute = attributes::singleAttribute(payload.at("NewAttribute"));
  const auto key = attributes::keyOf(attribute);
  objects::ManagedObject object = attributes::load(ctx, payload, "setattribute");
  attributes::checkWritable(ctx, object, key, attribute);
  const auto existing = attributes::instancesOf(object.attributes, key);
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
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
