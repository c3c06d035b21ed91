// KMIP 2.1 section 6.1.13: deletes the CurrentAttribute instance, or every instance of the
// AttributeReference.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/AttributeEdit.hpp"
#include "kms/ops/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv deleteAttribute(OperationContext& ctx, const Ttlv& payload) {
  std::optional<Ttlv> current;
  core::AttributeKey key;
  if (const auto* c = payload.find("CurrentAttribute")) {
    current = core::singleAttribute(*c);
    key = core::keyOf(*current);
  } else if (const auto* r = payload.find("AttributeReference")) {
    key = core::keyOfReference(*r);
  } else {
    throw Exception(ErrorCode::MissingData, "DeleteAttribute needs a CurrentAttribute or an AttributeReference");
  }
  ManagedObject object = edit::load(ctx, payload, "deleteattribute");
  edit::checkDeletable(object, key);
  auto& items = object.attributes.items();
  std::vector<kmip::Ttlv> kept;
  std::size_t removed = 0;
  for (auto& item : items) {
    if (core::keyMatches(core::keyOf(item), key) && (!current || item == *current)) {
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
  edit::commit(ctx, object);
  return edit::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
