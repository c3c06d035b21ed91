#pragma once
// An unusable configuration. what() is exactly one line naming the flag, environment
// variable or file key and the bad value, except for secrets, whose value is never shown.
#include <stdexcept>
#include <string>

namespace kms::config {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kms::config
