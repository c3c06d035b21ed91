#pragma once
// What a CK_RV means for kmsd: its name for messages, the kms_status category it falls in,
// and whether a fresh session (and login) may cure it. One table, so that every call site
// maps the same code the same way.
#include <string>

#include "kms/driver.h"

namespace kms::pkcs11 {

class ReturnCodes {
 public:
  // "CKR_PIN_INCORRECT"; unknown and vendor-defined codes as "CKR_0x80000001".
  [[nodiscard]] static std::string name(unsigned long rv);
  [[nodiscard]] static kms_status status(unsigned long rv) noexcept;
  // Lost session or login, device or token gone: close the sessions, open new ones, log in
  // again and retry the call once.
  [[nodiscard]] static bool recoverable(unsigned long rv) noexcept;
  // A cached object handle went stale (another process destroyed the object): forget the
  // cached handles and look the key up again, once.
  [[nodiscard]] static bool staleHandle(unsigned long rv) noexcept;
};

}  // namespace kms::pkcs11
