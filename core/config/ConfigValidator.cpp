#include "kms/config/ConfigValidator.hpp"

#include <fmt/format.h>

#include "kms/config/ConfigError.hpp"

namespace kms::config {
namespace {

std::string originOf(const ConfigValidator::Origins& origins, std::string_view path) {
  const auto found = origins.find(path);
  return found != origins.end() ? found->second : std::string(path);
}

void requireNonEmpty(const std::string& value, const ConfigValidator::Origins& origins, std::string_view path) {
  if (value.empty()) throw ConfigError(fmt::format("{}: must not be empty", originOf(origins, path)));
}

}  // namespace

void ConfigValidator::validate(const Config& config, const Origins& origins) {
  constexpr std::string_view kNoPostgres = "PostgreSQL support is not available in this build yet";
  if (config.db.type == DatabaseType::Postgresql) {
    throw ConfigError(fmt::format("{}: {}", originOf(origins, "db.database_type"), kNoPostgres));
  }
  // A URL only means something to PostgreSQL; accepting it with SQLite would leave the
  // operator believing data goes where it does not. Its value is a secret: never shown.
  if (!config.db.databaseUrl.empty()) {
    throw ConfigError(fmt::format("{}: {}", originOf(origins, "db.database_url"), kNoPostgres));
  }
  requireNonEmpty(config.http.hostname, origins, "http.hostname");
  requireNonEmpty(config.db.sqlitePath, origins, "db.sqlite_path");
  requireNonEmpty(config.defaultUsername, origins, "default_username");
  requireNonEmpty(config.vendorIdentification, origins, "vendor_identification");
}

}  // namespace kms::config
