#include "kms/config/ValueParser.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>
#include <vector>

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

std::uint64_t ValueParser::slot(std::string_view text, const std::string& origin) {
  std::uint64_t value = 0;
  if (!parseDigits(text, value)) {
    throw ConfigError(fmt::format("{}: '{}' is not a slot number", origin, printable(text)));
  }
  return value;
}

std::chrono::milliseconds ValueParser::duration(std::string_view text, const std::string& origin,
                                                std::chrono::milliseconds bareUnit, std::chrono::milliseconds min,
                                                std::chrono::milliseconds max) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const auto number = text.substr(0, digits);
  const auto unitText = text.substr(digits);
  std::uint64_t value = 0;
  if (number.empty() || !parseDigits(number, value)) {
    throw ConfigError(fmt::format("{}: '{}' is not a duration (e.g. 30s, 15m, 1h)", origin, printable(text)));
  }
  std::chrono::milliseconds unit = bareUnit;
  if (unitText == "ms") {
    unit = std::chrono::milliseconds(1);
  } else if (unitText == "s") {
    unit = std::chrono::seconds(1);
  } else if (unitText == "m" || unitText == "min") {
    unit = std::chrono::minutes(1);
  } else if (unitText == "h") {
    unit = std::chrono::hours(1);
  } else if (!unitText.empty()) {
    throw ConfigError(fmt::format("{}: unknown unit in '{}' (expected ms, s, m or h)", origin, printable(text)));
  }
  // Checked before multiplying: no overflow for any accepted text.
  constexpr std::uint64_t kCeiling = std::uint64_t{1} << 40;
  if (value > kCeiling / static_cast<std::uint64_t>(unit.count())) {
    throw ConfigError(fmt::format("{}: {} is out of range", origin, printable(text)));
  }
  const std::chrono::milliseconds result(static_cast<std::int64_t>(value) * unit.count());
  if (result < min || result > max) {
    throw ConfigError(fmt::format("{}: {} is out of range (expected {} ms to {} ms)", origin, printable(text),
                                  min.count(), max.count()));
  }
  return result;
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

bool ValueParser::boolean(std::string_view text, const std::string& origin) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw ConfigError(fmt::format("{}: '{}' is not a boolean (expected true or false)", origin, printable(text)));
}

ClientCertUser ValueParser::clientCertUser(std::string_view text, const std::string& origin) {
  for (auto field : {ClientCertUser::CommonName, ClientCertUser::Email}) {
    if (text == clientCertUserName(field)) return field;
  }
  throw ConfigError(fmt::format("{}: unknown certificate field '{}' (expected cn or email)", origin, printable(text)));
}

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

JwtProvider ValueParser::jwtProvider(std::string_view text, const std::string& origin) {
  std::vector<std::string> fields;
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    fields.emplace_back(trimmed(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  JwtProvider provider;
  provider.issuer = fields[0];
  if (provider.issuer.empty()) {
    throw ConfigError(
        fmt::format("{}: '{}' has no issuer (expected \"ISSUER,JWKS_URI,AUDIENCE\")", origin, printable(text)));
  }
  if (fields.size() > 1) provider.jwksUri = fields[1];
  if (provider.jwksUri.empty()) {
    // Cosmian's default: the issuer's well-known JWKS document.
    provider.jwksUri = provider.issuer;
    if (provider.jwksUri.ends_with('/')) provider.jwksUri.pop_back();
    provider.jwksUri += "/.well-known/jwks.json";
  }
  for (std::size_t i = 2; i < fields.size(); ++i) {
    if (!fields[i].empty()) provider.audiences.push_back(fields[i]);
  }
  return provider;
}

std::string ValueParser::user(std::string_view text, const std::string& origin) {
  const std::string_view value = trimmed(text);
  if (value.empty()) throw ConfigError(fmt::format("{}: a user name must not be empty", origin));
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      throw ConfigError(fmt::format("{}: '{}' is not a valid user name", origin, printable(value)));
    }
  }
  return std::string(value);
}

}  // namespace kms::config
