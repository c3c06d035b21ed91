// KMIP 2.1 section 6.1.13: deletes the CurrentAttribute instance, or every instance of the
// AttributeReference.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv deleteAttribute(OperationContext& ctx, const Ttlv& payload) {
  std::optional<Ttlv> current;
  attributes::AttributeKey key;
  if (const auto* c = payload.find("CurrentAttribute")) {
    current = attributes::singleAttribute(*c);
    key = attributes::keyOf(*current);
  } else if (const auto* r = payload.find("AttributeReference")) {
    key = attributes::keyOfReference(*r);
  } else {
    throw Exception(ErrorCode::MissingData, "DeleteAttribute needs a CurrentAttribute or an AttributeReference");
  }
  objects::ManagedObject object = attributes::load(ctx, payload, "deleteattribute");
  attributes::checkDeletable(object, key);
  auto& items = object.attributes.items();
  std::vector<kmip::Ttlv> kept;
  std::size_t removed = 0;
  for (auto& item : items) {
    if (attributes::keyMatches(attributes::keyOf(item), key) && (!current || item == *current)) {
      ++removed;
      continue;
    }
    kept.push_back(std::move(item));
  }
  if (removed == 0) {
    throw Exception(ErrorCode::AttributeNotFound,
                    current ? fmt::format("object {} has no {} with that value", object.uid, key.display())
                            : fmt::format("object {} has no {}", object.uid, key.display()));
  }
  items = std::move(kept);
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
