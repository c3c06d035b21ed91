#include "kms/ops/objects/Lifecycle.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::ops::objects {

using kmip::State;

std::string_view name(State state) noexcept {
  switch (state) {
    case State::PreActive:
      return "PreActive";
    case State::Active:
      return "Active";
    case State::Deactivated:
      return "Deactivated";
    case State::Compromised:
      return "Compromised";
    case State::Destroyed:
      return "Destroyed";
    case State::DestroyedCompromised:
      return "DestroyedCompromised";
  }
  return "Unknown";
}

State stateOf(const ManagedObject& object) {
  const auto* state = object.attributes.find("State");
  if (state == nullptr || state->type() != kmip::ItemType::Enumeration) return State::PreActive;
  return static_cast<State>(state->asEnumeration());
}

bool isDestroyed(State state) noexcept {
  return state == State::Destroyed || state == State::DestroyedCompromised;
}

void requireKeyMaterial(const ManagedObject& object) {
  const State state = stateOf(object);
  if (isDestroyed(state)) {
    throw Exception(ErrorCode::KeyValueNotPresent,
                    fmt::format("object {} is {}: its key material was destroyed", object.uid, name(state)));
  }
}

void requireProtect(const ManagedObject& object, std::string_view operation) {
  requireKeyMaterial(object);
  const State state = stateOf(object);
  if (state != State::Active) {
    throw Exception(ErrorCode::WrongKeyLifecycleState,
                    fmt::format("{} needs an Active key; object {} is {}", operation, object.uid, name(state)));
  }
}

void requireProcess(const ManagedObject& object, std::string_view operation) {
  requireKeyMaterial(object);
  const State state = stateOf(object);
  if (state == State::PreActive) {
    throw Exception(ErrorCode::WrongKeyLifecycleState,
                    fmt::format("{} needs an activated key; object {} is {}", operation, object.uid, name(state)));
  }
}

}  // namespace kms::ops::objects
