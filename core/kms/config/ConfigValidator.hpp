#pragma once
// Checks that need the merged configuration (one value against another, or against what
// this build supports). Each value is parsed by its source already.
#include <map>
#include <string>
#include <string_view>

#include "kms/config/Config.hpp"

namespace kms::config {

class ConfigValidator {
 public:
  // Where each setting got its value ("--port", "KMS_PORT", "kms.toml:3: http.port"), keyed by
  // the setting's path; a setting absent from the map kept its default.
  using Origins = std::map<std::string_view, std::string>;

  // Throws ConfigError naming the origin of the offending setting.
  static void validate(const Config& config, const Origins& origins);
};

}  // namespace kms::config
