#pragma once
// kms_status + kms_error -> kms::Exception: each driver category has one ErrorCode, so an HSM
// failure has the same outward meaning (KMIP reason, HTTP status) as any other.
#include <cstdint>
#include <string>
#include <string_view>

#include "kms/Exception.hpp"
#include "kms/driver.h"

namespace kms::hsm {

// Where a failing call came from, for the message and for context-dependent codes.
struct CallSite {
  std::string_view instance;   // "hsm::softhsm2_1"
  std::string_view operation;  // "encrypt"
  std::uint64_t slot = 0;
  bool exporting = false;  // PERMISSION_DENIED on export means "sensitive"
};

class StatusMapper {
 public:
  [[nodiscard]] static ErrorCode code(kms_status status, bool exporting) noexcept;
  // The driver's message, bounded and NUL-safe, or the status name when it left none.
  [[nodiscard]] static std::string message(kms_status status, const kms_error& error);
  [[nodiscard]] static Exception toException(kms_status status, const kms_error& error, const CallSite& site);
  [[nodiscard]] static std::string_view statusName(kms_status status) noexcept;
};

}  // namespace kms::hsm
