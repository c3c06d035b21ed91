#pragma once
// KMS_* environment variables: every setting's variable plus KMS_CONFIG (the file to read).
// Unknown KMS_* variables are only warned about: the environment is shared with other
// programs, and refusing to start over a stray variable would be hostile.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kms/config/Assignment.hpp"

namespace kms::config {

class EnvironmentSource {
 public:
  using Variables = std::map<std::string, std::string>;

  explicit EnvironmentSource(const Variables& variables);

  // The KMS_* variables of this process.
  static Variables processVariables();

  [[nodiscard]] const std::optional<std::string>& configFile() const noexcept { return configFile_; }
  [[nodiscard]] const std::vector<Assignment>& assignments() const noexcept { return assignments_; }
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  std::optional<std::string> configFile_;
  std::vector<Assignment> assignments_;
  std::vector<std::string> warnings_;
};

}  // namespace kms::config
