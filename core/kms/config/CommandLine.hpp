#pragma once
// kmsd's flags: `--flag value` or `--flag=value`, every setting of the Settings table plus
// --config, --help and --version. Parsing fails on the first bad argument.
#include <optional>
#include <string>
#include <vector>

#include "kms/config/Assignment.hpp"

namespace kms::config {

class CommandLine {
 public:
  // `arguments` excludes the program name. Throws ConfigError.
  explicit CommandLine(const std::vector<std::string>& arguments);

  [[nodiscard]] bool helpRequested() const noexcept { return help_; }
  [[nodiscard]] bool versionRequested() const noexcept { return version_; }
  [[nodiscard]] const std::optional<std::string>& configFile() const noexcept { return configFile_; }
  [[nodiscard]] const std::vector<Assignment>& assignments() const noexcept { return assignments_; }

 private:
  bool help_ = false;
  bool version_ = false;
  std::optional<std::string> configFile_;
  std::vector<Assignment> assignments_;
};

}  // namespace kms::config
