#pragma once
// The one exception type inside the engine. It carries what crosses the ABI in a kms_error:
// a closed status category, the raw CK_RV (0 when the failure is not a PKCS#11 one) and a
// message. Messages name functions, return codes and slots, never a PIN or key bytes.
// DriverAdapter turns it into a kms_error; nothing throws across the C boundary.
#include <cstdint>
#include <exception>
#include <string>

#include "kms/driver.h"

namespace kms::pkcs11 {

class Error : public std::exception {
 public:
  Error(kms_status status, std::string message, std::uint64_t vendorCode = 0);

  [[nodiscard]] kms_status status() const noexcept { return status_; }
  [[nodiscard]] std::uint64_t vendorCode() const noexcept { return vendorCode_; }
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

  // "C_Login failed: CKR_PIN_INCORRECT on slot 3", status from ReturnCodes::status(rv).
  [[nodiscard]] static Error fromRv(const char* function, unsigned long rv, std::uint64_t slotId);

 private:
  kms_status status_;
  std::uint64_t vendorCode_;
  std::string message_;
};

}  // namespace kms::pkcs11
