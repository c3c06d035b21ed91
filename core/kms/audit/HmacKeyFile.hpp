#pragma once
// The operator's audit HMAC key, read from a file: 64 hexadecimal digits (a newline may
// follow), or exactly 32 raw bytes. The key is never logged, and no message quotes the file.
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::audit {

class HmacKeyFile {
 public:
  // Throws AuditError naming the file (never its content) when it cannot be read or is neither.
  [[nodiscard]] static SecureBytes read(const std::string& path);
};

}  // namespace kms::audit
