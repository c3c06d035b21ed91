#pragma once
// KMIP 2.1 object states (section 4.57) as the handlers check them. Activate, Revoke and
// Destroy make the transitions; the cryptographic handlers only ask whether a state allows a use.
#include <string_view>

#include "kms/kmip/Enums.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::objects {

// The object's State attribute (PreActive when absent).
[[nodiscard]] kmip::State stateOf(const ManagedObject& object);
[[nodiscard]] bool isDestroyed(kmip::State state) noexcept;

// Throws WrongKeyLifecycleState when the key material is gone (Destroyed,
// DestroyedCompromised): for Get, Export and every cryptographic operation.
void requireKeyMaterial(const ManagedObject& object);
// Applying protection (Encrypt, Sign, wrapping, MAC): Active only.
void requireProtect(const ManagedObject& object, std::string_view operation);
// Processing protected data (Decrypt, SignatureVerify, unwrap, MAC verify): Active,
// Deactivated or Compromised (section 4.57: "SHOULD only ... under extraordinary
// circumstances" is the caller's policy; kmsd allows it for the owner and grantees).
void requireProcess(const ManagedObject& object, std::string_view operation);

// The name of a state, for messages.
[[nodiscard]] std::string_view name(kmip::State state) noexcept;

}  // namespace kms::ops::objects
