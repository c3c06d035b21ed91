#pragma once
// The one table of settings: each row ties a file key to its flag and environment variable
// and knows how to parse and store its value. Every source (flags, environment, TOML, YAML)
// and --help read this table, so adding a setting is adding a row.
#include <span>
#include <string>
#include <string_view>

#include "kms/config/Config.hpp"

namespace kms::config {

// How a file source must type-check a value before handing its text over: TOML keeps
// `port = "9998"` a mistake, while YAML scalars carry no type and are always text.
enum class ValueKind { Text, Integer, IntegerOrText };

struct Setting {
  std::string_view path;  // file key, dotted: "http.port", or "default_username" at top level
  std::string_view flag;  // "--port"
  std::string_view env;   // "KMS_PORT"
  std::string_view valueName;  // "PORT", for --help
  ValueKind kind;
  bool secret;  // never echoed in messages or --help
  std::string_view help;
  // Parses `text` and stores it; throws ConfigError naming `origin` on a bad value.
  void (*apply)(Config& config, std::string_view text, const std::string& origin);
  // The built-in default, rendered for --help.
  std::string (*defaultText)();
};

class Settings {
 public:
  static std::span<const Setting> all() noexcept;
  [[nodiscard]] static const Setting* byFlag(std::string_view flag) noexcept;
  [[nodiscard]] static const Setting* byEnv(std::string_view name) noexcept;
  [[nodiscard]] static const Setting* byPath(std::string_view path) noexcept;
};

}  // namespace kms::config
