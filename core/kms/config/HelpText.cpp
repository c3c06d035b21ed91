#include "kms/config/HelpText.hpp"

#include <fmt/format.h>

#include "kms/config/Settings.hpp"
#include "kms/config/Version.hpp"

namespace kms::config {
namespace {

void option(std::string& out, std::string_view flag, std::string_view env, std::string_view help,
            std::string_view defaultText) {
  // A flag wider than its column keeps one space before "env".
  out += fmt::format("  {:<40}{}env {}\n", flag, flag.size() >= 40 ? " " : "", env);
  out += fmt::format("      {}. Default: {}.\n", help, defaultText);
}

}  // namespace

std::string HelpText::render() {
  std::string out = fmt::format(
      "kmsd {} - KMIP 2.1 key management server\n"
      "\n"
      "Usage: kmsd [options]\n"
      "\n"
      "Settings come from, later wins: built-in defaults, the configuration file,\n"
      "KMS_* environment variables, then these flags (--flag value or --flag=value).\n"
      "\n",
      kVersion);
  option(out, "--config FILE", "KMS_CONFIG",
         "Configuration file: TOML, or YAML (same keys) when the name ends in .yaml/.yml", "none");
  for (const auto& setting : Settings::all()) {
    option(out, fmt::format("{} {}", setting.flag, setting.valueName), setting.env, setting.help,
           setting.secret ? std::string("none") : setting.defaultText());
  }
  out += "  --help                                  Print this help and exit.\n";
  out += "  --version                               Print the version and exit.\n";
  return out;
}

}  // namespace kms::config
