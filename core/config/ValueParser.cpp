#include "kms/config/ValueParser.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

// Digits only: no sign, no spaces, no hex, so that "-1" and " 80" are refused, not wrapped.
bool parseDigits(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::uint16_t ValueParser::port(std::string_view text, const std::string& origin) {
  std::uint64_t value = 0;
  if (!parseDigits(text, value) || value > 65535) {
    throw ConfigError(fmt::format("{}: '{}' is not a valid port (expected 0-65535)", origin, printable(text)));
  }
  return static_cast<std::uint16_t>(value);
}

std::size_t ValueParser::size(std::string_view text, const std::string& origin, std::size_t min, std::size_t max) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 3> kSuffixes{{
      {"KiB", std::uint64_t{1} << 10},
      {"MiB", std::uint64_t{1} << 20},
      {"GiB", std::uint64_t{1} << 30},
  }};
  std::string_view digits = text;
  std::uint64_t unit = 1;
  for (const auto& [suffix, multiplier] : kSuffixes) {
    if (digits.ends_with(suffix)) {
      digits.remove_suffix(suffix.size());
      unit = multiplier;
      break;
    }
  }
  std::uint64_t value = 0;
  if (!parseDigits(digits, value)) {
    throw ConfigError(fmt::format("{}: '{}' is not a size in bytes (e.g. 67108864 or 64MiB)", origin, printable(text)));
  }
  if (value > max / unit || value * unit < min || value * unit > max) {
    throw ConfigError(
        fmt::format("{}: {} is out of range (expected {} to {} bytes)", origin, printable(text), min, max));
  }
  return static_cast<std::size_t>(value * unit);
}

unsigned ValueParser::count(std::string_view text, const std::string& origin, unsigned min, unsigned max) {
  std::uint64_t value = 0;
  if (!parseDigits(text, value)) {
    throw ConfigError(fmt::format("{}: '{}' is not a number", origin, printable(text)));
  }
  if (value < min || value > max) {
    throw ConfigError(fmt::format("{}: {} is out of range (expected {}-{})", origin, printable(text), min, max));
  }
  return static_cast<unsigned>(value);
}

DatabaseType ValueParser::databaseType(std::string_view text, const std::string& origin) {
  if (text == "sqlite") return DatabaseType::Sqlite;
  if (text == "postgresql") return DatabaseType::Postgresql;
  throw ConfigError(
      fmt::format("{}: unknown database type '{}' (expected sqlite or postgresql)", origin, printable(text)));
}

LogLevel ValueParser::logLevel(std::string_view text, const std::string& origin) {
  for (auto level : {LogLevel::Error, LogLevel::Warning, LogLevel::Info, LogLevel::Debug}) {
    if (text == logLevelName(level)) return level;
  }
  throw ConfigError(
      fmt::format("{}: unknown log level '{}' (expected error, warning, info or debug)", origin, printable(text)));
}

}  // namespace kms::config
