#pragma once
// Building a new managed object from client-supplied attributes: the server-set attributes
// (UniqueIdentifier, ObjectType, State, InitialDate, LastChangeDate, OriginalCreationDate,
// Digest...), the client's ActivationDate rule (a past or present ActivationDate activates at
// once), and the Name/tags indexing. Shared by Create, CreateKeyPair, Register and Import.
#include <string>

#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::objects {

class NewObject {
 public:
  // `clientAttributes` is the request's Attributes structure (may be empty). The returned
  // object has a uid (`uid`, else the UniqueIdentifier of `clientAttributes`, else a fresh one;
  // a client's is checked: InvalidField for the reserved hsm:: form, over 255 bytes or control
  // characters; one that is taken fails the insert with AlreadyExists), owner = the caller,
  // state PreActive or Active, and its `object` set to `keyObject`.
  static ManagedObject make(OperationContext& ctx, kmip::ObjectType type, kmip::Ttlv keyObject,
                            const kmip::Ttlv& clientAttributes, const std::string& uid = {});
};

}  // namespace kms::ops::objects
