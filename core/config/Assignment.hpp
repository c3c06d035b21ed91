#pragma once
// One value for one setting, as read from one source, before it is parsed.
#include <string>

#include "kms/config/Settings.hpp"

namespace kms::config {

struct Assignment {
  const Setting* setting = nullptr;
  std::string value;
  std::string origin;  // "--port", "KMS_PORT", "kms.toml:3: http.port": used in messages
};

}  // namespace kms::config
