#include "kms/config/EnvironmentSource.hpp"

#include <fmt/format.h>

#include <string_view>

#include "kms/config/Printable.hpp"

extern char** environ;  // POSIX

namespace kms::config {
namespace {

constexpr std::string_view kPrefix = "KMS_";
constexpr std::string_view kConfigVariable = "KMS_CONFIG";

}  // namespace

EnvironmentSource::EnvironmentSource(const Variables& variables) {
  for (const auto& [name, value] : variables) {
    if (!name.starts_with(kPrefix)) continue;
    if (name == kConfigVariable) {
      configFile_ = value;
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
