// KMIP 2.1 section 6.1.20: the requested attributes in the order requested (every instance of
// each); none requested = all. Absent attributes are left out. Works on destroyed objects.
// Database objects only: OperationTable routes an hsm:: UID to hsmkeys::getAttributes.
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv getAttributes(OperationContext& ctx, const Ttlv& payload) {
  // References are checked before the object is read: a bad request says so, for any uid.
  std::vector<attributes::AttributeKey> keys;
  for (const auto* reference : payload.findAll("AttributeReference")) {
    keys.push_back(attributes::keyOfReference(*reference));
  }

  objects::ManagedObject object = attributes::load(ctx, payload, "getattributes");
  attributes::ensureIdentity(object);
  Ttlv attributes = Ttlv::structure("Attributes");
  if (keys.empty()) {
    attributes = object.attributes.withTag("Attributes");
  } else {
    for (const auto& key : keys) {
      for (const auto index : attributes::instancesOf(object.attributes, key)) {
        attributes.add(object.attributes.items()[index]);
      }
    }
  }
  return Ttlv::structure("ResponsePayload", {Ttlv::textString("UniqueIdentifier", object.uid), std::move(attributes)});
}

}  // namespace kms::ops::handlers
