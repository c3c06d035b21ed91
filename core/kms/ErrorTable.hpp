#pragma once
// One table: ErrorCode -> KMIP ResultReason, HTTP status and a stable name.
#include <cstdint>
#include <string_view>

#include "kms/Exception.hpp"

namespace kms {

struct ErrorInfo {
  ErrorCode code;
  std::uint32_t kmipResultReason;  // KMIP 2.1 Result Reason enumeration value
  int httpStatus;
  std::string_view name;
};

class ErrorTable {
 public:
  static const ErrorInfo& lookup(ErrorCode code) noexcept;
  // The ErrorCode whose KMIP reason is `reason`, if any (used when replaying reasons).
  static const ErrorInfo* byKmipReason(std::uint32_t reason) noexcept;
};

}  // namespace kms
