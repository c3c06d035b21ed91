#include "kms/config/CommandLine.hpp"

#include <fmt/format.h>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {

CommandLine::CommandLine(const std::vector<std::string>& arguments) {
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    if (!argument.starts_with("--")) {
      // The value is not echoed: a misplaced argument may well be a password.
      throw ConfigError(fmt::format("unexpected argument #{} (flags start with --; see --help)", i + 1));
    }
    const auto equals = argument.find('=');
    const std::string flag = argument.substr(0, equals);
    std::optional<std::string> inlineValue;
    if (equals != std::string::npos) inlineValue = argument.substr(equals + 1);

    if (flag == "--help" || flag == "--version") {
      if (inlineValue) throw ConfigError(fmt::format("{} takes no value", flag));
      (flag == "--help" ? help_ : version_) = true;
      continue;
    }

    const Setting* setting = flag == "--config" ? nullptr : Settings::byFlag(flag);
    if (flag != "--config" && setting == nullptr) {
      throw ConfigError(fmt::format("unknown flag '{}' (see --help)", printable(flag)));
    }

    std::string value;
    const bool boolean = setting != nullptr && setting->kind == ValueKind::Boolean;
    if (inlineValue) {
      value = *inlineValue;
    } else if (boolean) {
      // `--force-default-username` alone means true, as with Cosmian's flags; an explicit
      // true/false may follow.
      const bool explicitValue =
          i + 1 < arguments.size() && (arguments[i + 1] == "true" || arguments[i + 1] == "false");
      value = explicitValue ? arguments[++i] : "true";
    } else if (i + 1 < arguments.size() && !arguments[i + 1].starts_with("--")) {
      value = arguments[++i];
    } else {
      throw ConfigError(fmt::format("{}: missing value", flag));
    }

    if (setting == nullptr) {
      configFile_ = std::move(value);
    } else {
      for (auto& assignment : splitAssignment(setting, value, flag)) assignments_.push_back(std::move(assignment));
    }
  }
}

}  // namespace kms::config
