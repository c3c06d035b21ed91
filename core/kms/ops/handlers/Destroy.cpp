// KMIP 2.1 section 6.1.15: the key material goes, the metadata stays.
//   PreActive, Deactivated -> Destroyed; Compromised -> DestroyedCompromised;
//   Active is refused (revoke it first), as is an object already destroyed.
// Database objects only: OperationTable routes an hsm:: UID to hsmkeys::destroy.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/objects/Lifecycle.hpp"

namespace kms::ops::handlers {

using kmip::State;

Ttlv destroy(OperationContext& ctx, const Ttlv& payload) {
  objects::ManagedObject object = attributes::load(ctx, payload, "destroy");
  const State state = objects::stateOf(object);
  const State next = [&] {
    switch (state) {
      case State::PreActive:
      case State::Deactivated:
        return State::Destroyed;
      case State::Compromised:
        return State::DestroyedCompromised;
      case State::Active:
        throw Exception(ErrorCode::WrongKeyLifecycleState,
                        fmt::format("object {} is Active: revoke it first", object.uid));
      default:
        throw Exception(ErrorCode::WrongKeyLifecycleState,
                        fmt::format("object {} is already {}", object.uid, objects::name(state)));
    }
  }();
  object.object = Ttlv::structure(object.object.tag().empty() ? "Object" : object.object.tag());
  object.wrappingKey.clear();  // nothing left to unwrap or re-wrap
  attributes::AttributeSet set(object.attributes);
  set.setState(next);
  set.setDate("DestroyDate", attributes::nowSeconds());
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
