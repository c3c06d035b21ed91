#pragma once
// One value for one setting, as read from one source, before it is parsed.
#include <string>
#include <vector>

#include "kms/config/Settings.hpp"

namespace kms::config {

struct Assignment {
  const Setting* setting = nullptr;
  std::string value;
  std::string origin;  // "--port", "KMS_PORT", "kms.toml:3: http.port": used in messages
};

// One element per item of `value` split on the setting's separator (TextList settings), or
// the single assignment. Empty items are dropped: "a,,b" and "a, b" mean a and b.
std::vector<Assignment> splitAssignment(const Setting* setting, const std::string& value, const std::string& origin);

}  // namespace kms::config
