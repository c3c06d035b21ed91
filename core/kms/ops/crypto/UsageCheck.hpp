#pragma once
// Checks shared by the key handlers before a key is used or handed out: the lifecycle state,
// the Cryptographic Usage Mask, and the Sensitive / Extractable attributes.
#include <cstdint>
#include <string_view>

#include "kms/kmip/Enums.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::crypto {

// The state the object is in now: a PreActive object whose ActivationDate has passed is
// Active, an Active object whose DeactivationDate has passed is Deactivated (KMIP 2.1 section
// 4.57: the dates are the transitions). Objects without a State attribute count as PreActive.
[[nodiscard]] kmip::State effectiveState(const objects::ManagedObject& object);

// WrongKeyLifecycleState unless the object is Active. `operation` names the operation in the
// message ("Encrypt").
void requireActive(const objects::ManagedObject& object, std::string_view operation);
// Decrypt and SignatureVerify: KMIP 2.1 section 3.1 lets a Deactivated key (revoked as
// superseded, or past its DeactivationDate) still process what it protected, so data encrypted
// before a rotation stays readable. PreActive, Compromised and Destroyed keys are refused.
void requireProcessable(const objects::ManagedObject& object, std::string_view operation);

// IncompatibleUsageMask unless the object's CryptographicUsageMask holds `bit` (a
// kmip::CryptographicUsageMask constant) or Unrestricted. An object without a mask (only possible through
// Import, which stores attributes as given) is not restricted.
void requireUsage(const objects::ManagedObject& object, std::uint32_t bit, std::string_view operation);

// Get/Export of the key material: Sensitive when the Sensitive attribute is true (KMIP 2.1
// 4.55: such a key leaves only wrapped), NotExtractable when Extractable is false (4.23).
// `clear` false: the material leaves wrapped, which a sensitive key may.
void requireExtractable(const objects::ManagedObject& object, bool clear = true);

}  // namespace kms::ops::crypto
