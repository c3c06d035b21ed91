// KMIP 2.1 section 6.1.2: adds an instance; never changes existing values.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv addAttribute(OperationContext& ctx, const Ttlv& payload) {
  const Ttlv attribute = attributes::singleAttribute(payload.at("NewAttribute"));
  const auto key = attributes::keyOf(attribute);
  objects::ManagedObject object = attributes::load(ctx, payload, "addattribute");
  attributes::checkWritable(ctx, object, key, attribute);
  const auto existing = attributes::instancesOf(object.attributes, key);
  const bool multiple = attributes::attributeRule(key.tag).multiple;
  if (!existing.empty() && !multiple) {
    throw Exception(
        ErrorCode::AttributeSingleValued,
        fmt::format("{} is single-valued and already set; use SetAttribute or ModifyAttribute", key.display()));
  }
  for (const auto index : existing) {
    if (object.attributes.items()[index] == attribute) {
      throw Exception(ErrorCode::InvalidField, fmt::format("this {} instance is already present", key.display()));
    }
  }
  object.attributes.add(attribute);
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
