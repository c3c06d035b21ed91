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
// TextList settings take an array of strings in a file, a repeated flag, and a list split on
// the setting's separator in the environment and in flags.
// IntegerList is TextList's twin for integers (hsm_slot = [0, 1]).
enum class ValueKind { Text, Integer, IntegerOrText, Boolean, TextList, IntegerList };

struct Setting {
  std::string_view path;       // file key, dotted: "http.port", or "default_username" at top level
  std::string_view flag;       // "--port"
  std::string_view env;        // "KMS_PORT"
  std::string_view valueName;  // "PORT", for --help
  ValueKind kind;
  bool secret;  // never echoed in messages or --help
  std::string_view help;
  // Parses `text` and stores it; throws ConfigError naming `origin` on a bad value.
  void (*apply)(Config& config, std::string_view text, const std::string& origin);
  // The built-in default, rendered for --help.
  std::string (*defaultText)();
  // TextList only: empties the list. Each source replaces the list of earlier sources (later
  // wins, as for scalars), so the loader clears it before a source's first element.
  void (*clear)(Config& config) = nullptr;
  // TextList only: splits one environment variable or flag value into elements. '\0' never
  // splits and keeps an empty value (HSM passwords: "" means a NULL PIN, and may hold commas).
  char separator = ',';
};

class Settings {
 public:
  static std::span<const Setting> all() noexcept;
  [[nodiscard]] static const Setting* byFlag(std::string_view flag) noexcept;
  [[nodiscard]] static const Setting* byEnv(std::string_view name) noexcept;
  [[nodiscard]] static const Setting* byPath(std::string_view path) noexcept;
};

}  // namespace kms::config
