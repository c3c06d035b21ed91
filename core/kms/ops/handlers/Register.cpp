// Register (KMIP 2.1 6.1.43): a client-supplied object, stored with its key block as given.
//
// Key objects are checked first: the key material must parse in its KeyFormatType (see
// KeyMaterial.hpp; InvalidField otherwise) and agree with CryptographicAlgorithm/Length. A
// wrapped key block is stored as given, with a WrappingKeyLink to its wrapping key. A past
// ActivationDate makes the object Active at once (objects::NewObject).
#include "kms/kmip/Enums.hpp"

#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/NewObject.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::handlers {

Ttlv registerObject(OperationContext& ctx, const Ttlv& payload) {
  auto client = attributes::readClientObject(payload);
  attributes::applyDefaultUsageMask(client.attributes, client.type);
  auto managed = objects::NewObject::make(ctx, client.type, std::move(client.object), client.attributes);
  attributes::finishKeyAttributes(managed, client.facts);
  if (!client.wrappingKeyUid.empty()) {
    attributes::addLink(managed, kmip::LinkType::WrappingKeyLink, client.wrappingKeyUid);
  }
  wrapping::KeyWrapper::protect(ctx, managed, client.attributes);
  ctx.objects.insert({&managed});
  ctx.idPlaceholder = managed.uid;
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", managed.uid)});
}

}  // namespace kms::ops::handlers
