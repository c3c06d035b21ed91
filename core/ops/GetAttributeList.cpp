// KMIP 2.1 section 6.1.21: one AttributeReference per attribute the object has (vendor
// attributes by structure, the others by tag).
#include "kms/ops/AttributeEdit.hpp"
#include "kms/ops/CoreSupport.hpp"
#include "kms/ops/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv getAttributeList(OperationContext& ctx, const Ttlv& payload) {
  ManagedObject object = edit::load(ctx, payload, "getattributes");
  edit::ensureIdentity(object);
  Ttlv response = Ttlv::structure("ResponsePayload", {Ttlv::textString("UniqueIdentifier", object.uid)});
  std::vector<core::AttributeKey> seen;
  for (const auto& item : object.attributes.items()) {
    const auto key = core::keyOf(item);
    bool known = false;
    for (const auto& s : seen) known = known || core::keyMatches(s, key);
    if (known) continue;
    seen.push_back(key);
    response.add(core::referenceFor(key));
  }
  return response;
}

}  // namespace kms::ops::handlers
