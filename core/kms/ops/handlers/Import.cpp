// Import (KMIP 2.1 6.1.25, as Cosmian clients use it): Register with the client's uid.
//
// UniqueIdentifier: the uid to store under; empty means "the server picks one" (Cosmian).
// ReplaceExisting false/absent and the uid taken (by anyone) -> AlreadyExists; true -> the
// object is replaced (the caller must be allowed to "import" over it, else NotFound). The client's
// attributes are kept as supplied (6.1.25: no server-generated values), over the server's.
// KeyWrapType NotWrapped on a wrapped key asks the server to unwrap it: FeatureNotSupported
// until key unwrapping lands; otherwise a wrapped key is stored as given.
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/objects/NewObject.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::handlers {

Ttlv importObject(OperationContext& ctx, const Ttlv& payload) {
  std::string uid;
  if (const auto* u = payload.find("UniqueIdentifier")) uid = u->asText();
  const auto* replaceItem = payload.find("ReplaceExisting");
  const bool replace = replaceItem != nullptr && replaceItem->asBoolean();

  auto client = attributes::readClientObject(payload);
  if (const auto* wrapType = payload.find("KeyWrapType")) {
    const auto* block = client.object.find("KeyBlock");
    if (static_cast<kmip::KeyWrapType>(wrapType->asEnumeration()) == kmip::KeyWrapType::NotWrapped &&
        block != nullptr && objects::isWrapped(*block)) {
      throw Exception(ErrorCode::FeatureNotSupported, "unwrapping a key on import is not supported yet");
    }
  }

  const Ttlv suppliedAttributes = client.attributes;
  auto managed = objects::NewObject::make(ctx, client.type, std::move(client.object), client.attributes, uid);
  attributes::finishKeyAttributes(managed, client.facts);
  // The client's values win over the server's (but the identity is the object's).
  attributes::AttributeSet set(managed.attributes);
  for (const auto& item : suppliedAttributes.items()) {
    const auto& tag = item.tag();
    if (tag == "UniqueIdentifier" || tag == "ObjectType" || tag == "Name" || tag == "Link" || tag == "Attribute" ||
        tag == "VendorAttributes") {
      continue;  // identity, or multi-instance values objects::NewObject already copied
    }
    set.set(item);
  }
  if (!client.wrappingKeyUid.empty() && managed.attributes.find("Link") == nullptr) {
    attributes::addLink(managed, kmip::LinkType::WrappingKeyLink, client.wrappingKeyUid);
  }

  // That a UID of one's choice is taken is the one bit a namespace shared by every user cannot
  // hide from whoever may create objects (she cannot be given it). Nothing more shows: without
  // ReplaceExisting every taken UID answers AlreadyExists alike, whoever owns it; with it, a UID
  // the caller may not replace answers as a missing object does to any operation she has no
  // right for (objects::ObjectRepository::load). The existence check reads the same for every UID.
  const bool exists = !uid.empty() && ctx.objects.store().accessOf(uid, ctx.request.user).has_value();
  if (exists) {
    if (!replace) {
      throw Exception(ErrorCode::AlreadyExists,
                      fmt::format("an object {} exists and ReplaceExisting is not true", uid.substr(0, 128)));
    }
    const auto existing = ctx.objects.load(uid, ctx.request.user, "import");
    managed.owner = existing.owner;
    managed.version = existing.version;
  }
  wrapping::KeyWrapper::protect(ctx, managed, suppliedAttributes);
  if (exists) {
    ctx.objects.update(managed);
  } else {
    ctx.objects.insert({&managed});
  }
  ctx.idPlaceholder = managed.uid;
  return attributes::responsePayload({Ttlv::textString("UniqueIdentifier", managed.uid)});
}

}  // namespace kms::ops::handlers
