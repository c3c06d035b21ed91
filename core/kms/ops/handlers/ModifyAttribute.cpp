// KMIP 2.1 section 6.1.34: changes one existing instance (CurrentAttribute selects it; without
// it the attribute must have exactly one instance).
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv modifyAttribute(OperationContext& ctx, const Ttlv& payload) {
  const Ttlv attribute = attributes::singleAttribute(payload.at("NewAttribute"));
  const auto key = attributes::keyOf(attribute);
  std::optional<Ttlv> current;
  if (const auto* c = payload.find("CurrentAttribute")) {
    current = attributes::singleAttribute(*c);
    if (!attributes::keyMatches(attributes::keyOf(*current), key)) {
      throw Exception(ErrorCode::InvalidField, "CurrentAttribute and NewAttribute name different attributes");
    }
  }
  objects::ManagedObject object = attributes::load(ctx, payload, "modifyattribute");
  attributes::checkWritable(ctx, object, key, attribute);
  const auto existing = attributes::instancesOf(object.attributes, key);
  if (existing.empty()) {
    throw Exception(ErrorCode::AttributeNotFound, fmt::format("object {} has no {}", object.uid, key.display()));
  }
  std::size_t target = existing.front();
  if (current) {
    bool found = false;
    for (const auto index : existing) {
      if (object.attributes.items()[index] == *current) {
        target = index;
        found = true;
        break;
      }
    }
    if (!found) {
      throw Exception(ErrorCode::AttributeNotFound,
                      fmt::format("object {} has no {} with the CurrentAttribute value", object.uid, key.display()));
    }
  } else if (existing.size() > 1) {
    throw Exception(ErrorCode::InvalidField, fmt::format("{} has {} instances; say which one with CurrentAttribute",
                                                         key.display(), existing.size()));
  }
  object.attributes.items()[target] = attribute;
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
