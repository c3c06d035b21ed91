// KMIP 2.1 section 6.1.1: PreActive -> Active, ActivationDate = now.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/AttributeEdit.hpp"
#include "kms/ops/AttributeSet.hpp"
#include "kms/ops/Handlers.hpp"
#include "kms/ops/Lifecycle.hpp"

namespace kms::ops::handlers {

Ttlv activate(OperationContext& ctx, const Ttlv& payload) {
  ManagedObject object = edit::load(ctx, payload, "activate");
  const auto state = lifecycle::stateOf(object);
  if (state != kmip::State::PreActive) {
    throw Exception(
        ErrorCode::WrongKeyLifecycleState,
        fmt::format("only a PreActive object can be activated; object {} is {}", object.uid, lifecycle::name(state)));
  }
  AttributeSet set(object.attributes);
  set.setState(kmip::State::Active);
  set.setDate("ActivationDate", core::nowSeconds());
  edit::commit(ctx, object);
  return edit::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
