#pragma once
// What Add/Set/Modify/DeleteAttribute share: the client-side rules of KMIP 2.1 section 4 as
// the AttributeRules table gives them (types, read-only, single-valued, Sensitive only to true
// and Extractable only to false, state conditions on dates), the state effects of date changes
// (section 4.57, transitions 4 and 6), the server-maintained flags and persisting the change.
#include <string>

#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::attributes {

// The object an attribute operation acts on (access right `operation`).
[[nodiscard]] objects::ManagedObject load(OperationContext& ctx, const kmip::Ttlv& payload, std::string_view operation);
// Throws AttributeReadOnly / InvalidField / WrongKeyLifecycleState when the client may not
// give `attribute` (key `key`) to `object` now: a value of the wrong type (InvalidField), a
// server-only or read-only attribute, Sensitive true -> false, Extractable false -> true.
void checkWritable(OperationContext& ctx, const objects::ManagedObject& object, const attributes::AttributeKey& key,
                   const kmip::Ttlv& attribute);
// Throws AttributeReadOnly when the client may not delete instances of `key`.
void checkDeletable(const objects::ManagedObject& object, const attributes::AttributeKey& key);
// Applies date effects, sets LastChangeDate, persists; the placeholder keeps the uid.
void commit(OperationContext& ctx, objects::ManagedObject& object);
// Puts UniqueIdentifier and ObjectType in the attributes when an older row lacks them.
void ensureIdentity(objects::ManagedObject& object);
// {UniqueIdentifier} response payload.
[[nodiscard]] kmip::Ttlv uidResponse(const std::string& uid);

}  // namespace kms::ops::attributes
