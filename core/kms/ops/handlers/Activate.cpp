// KMIP 2.1 section 6.1.1: PreActive -> Active, ActivationDate = now.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/objects/Lifecycle.hpp"

namespace kms::ops::handlers {

Ttlv activate(OperationContext& ctx, const Ttlv& payload) {
  objects::ManagedObject object = attributes::load(ctx, payload, "activate");
  const auto state = objects::stateOf(object);
  if (state != kmip::State::PreActive) {
    throw Exception(
        ErrorCode::WrongKeyLifecycleState,
        fmt::format("only a PreActive object can be activated; object {} is {}", object.uid, objects::name(state)));
  }
  attributes::AttributeSet set(object.attributes);
  set.setState(kmip::State::Active);
  set.setDate("ActivationDate", attributes::nowSeconds());
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
