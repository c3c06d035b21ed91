#pragma once
// An audit log that cannot be opened, read, written or synced. kmsd refuses to start on one, and
// stops serving KMIP operations when the running writer meets one (AuditLog::healthy).
#include <stdexcept>
#include <string>

namespace kms::audit {

class AuditError : public std::runtime_error {
 public:
  explicit AuditError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kms::audit
