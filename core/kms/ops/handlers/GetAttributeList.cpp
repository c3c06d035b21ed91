// KMIP 2.1 section 6.1.21: one AttributeReference per attribute the object has (vendor
// attributes by structure, the others by tag).
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv getAttributeList(OperationContext& ctx, const Ttlv& payload) {
  objects::ManagedObject object = attributes::load(ctx, payload, "getattributes");
  attributes::ensureIdentity(object);
  Ttlv response = Ttlv::structure("ResponsePayload", {Ttlv::textString("UniqueIdentifier", object.uid)});
  std::vector<attributes::AttributeKey> seen;
  for (const auto& item : object.attributes.items()) {
    const auto key = attributes::keyOf(item);
    bool known = false;
    for (const auto& s : seen) known = known || attributes::keyMatches(s, key);
    if (known) continue;
    seen.push_back(key);
    response.add(attributes::referenceFor(key));
  }
  return response;
}

}  // namespace kms::ops::handlers
