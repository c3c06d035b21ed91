#pragma once
// The mechanisms a slot's token supports, read once per slot (C_GetMechanismList and
// C_GetMechanismInfo for each), so that an unsupported mechanism is refused before any call,
// with a message saying what the token lacks instead of a bare CKR_MECHANISM_INVALID.
#include <cstdint>
#include <map>

#include "kms/pkcs11/Call.hpp"

namespace kms::pkcs11 {

class MechanismSet {
 public:
  // Throws Error when the token does not answer.
  void probe(const Call& call, CK_SLOT_ID slotId);
  // True when the token lists the mechanism with all of `flags` (CKF_ENCRYPT, CKF_WRAP, ...).
  [[nodiscard]] bool supports(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return mechanisms_.size(); }

 private:
  std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> mechanisms_;
};

}  // namespace kms::pkcs11
