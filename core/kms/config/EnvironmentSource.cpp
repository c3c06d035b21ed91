#include "kms/config/EnvironmentSource.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <string_view>

#include "kms/config/Printable.hpp"

extern char** environ;  // POSIX

namespace kms::config {
namespace {

constexpr std::string_view kPrefix = "KMS_";
constexpr std::string_view kConfigVariable = "KMS_CONFIG";
// Read by a component itself rather than through Settings: the PostgreSQL store takes its
// password from these (a secret kept out of the URL, the command line and the config file).
constexpr std::array<std::string_view, 2> kReadElsewhere{"KMS_DATABASE_PASSWORD", "KMS_DATABASE_PASSWORD_FILE"};

}  // namespace

EnvironmentSource::EnvironmentSource(const Variables& variables) {
  for (const auto& [name, value] : variables) {
    if (!name.starts_with(kPrefix)) continue;
    if (name == kConfigVariable) {
      configFile_ = value;
    } else if (std::find(kReadElsewhere.begin(), kReadElsewhere.end(), name) != kReadElsewhere.end()) {
      continue;
    } else if (const Setting* setting = Settings::byEnv(name)) {
      for (auto& assignment : splitAssignment(setting, value, name)) assignments_.push_back(std::move(assignment));
    } else {
      warnings_.push_back(fmt::format("ignoring unknown environment variable {}", printable(name)));
    }
  }
}

EnvironmentSource::Variables EnvironmentSource::processVariables() {
  Variables variables;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || !text.starts_with(kPrefix)) continue;
    variables.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return variables;
}

}  // namespace kms::config
