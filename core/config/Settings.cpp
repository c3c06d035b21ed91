#include "kms/config/Settings.hpp"

#include <array>
#include <cstddef>

#include "kms/config/ValueParser.hpp"

namespace kms::config {
namespace {

// Bodies are buffered whole before decoding: 1 GiB bounds what one request may pin.
constexpr std::size_t kMaxBodySizeCeiling = std::size_t{1} << 30;

const std::array kSettings{
    Setting{"http.hostname", "--hostname", "KMS_HOSTNAME", "HOST", ValueKind::Text, false,
            "Address to listen on",
            [](Config& c, std::string_view v, const std::string&) { c.http.hostname = v; },
            [] { return HttpConfig{}.hostname; }},
    Setting{"http.port", "--port", "KMS_PORT", "PORT", ValueKind::Integer, false,
            "HTTP port (0 picks a free port)",
            [](Config& c, std::string_view v, const std::string& o) { c.http.port = ValueParser::port(v, o); },
            [] { return std::to_string(HttpConfig{}.port); }},
    Setting{"http.max_body_size", "--max-body-size", "KMS_MAX_BODY_SIZE", "BYTES", ValueKind::IntegerOrText, false,
            "Largest request body accepted (bytes, or with KiB/MiB/GiB)",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.maxBodySize = ValueParser::size(v, o, 1, kMaxBodySizeCeiling);
            },
            [] { return std::to_string(HttpConfig{}.maxBodySize); }},
    Setting{"http.threads", "--threads", "KMS_THREADS", "N", ValueKind::Integer, false,
            "HTTP worker threads: one per open keep-alive connection",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.threads = ValueParser::count(v, o, 1, 4096);
            },
            [] { return std::to_string(HttpConfig{}.threads); }},
    Setting{"http.max_queued", "--max-queued", "KMS_MAX_QUEUED", "N", ValueKind::Integer, false,
            "Accepted connections waiting for a free thread",
            [](Config& c, std::string_view v, const std::string& o) {
              c.http.maxQueued = ValueParser::count(v, o, 1, 1'000'000);
            },
            [] { return std::to_string(HttpConfig{}.maxQueued); }},
    Setting{"db.database_type", "--database-type", "KMS_DATABASE_TYPE", "sqlite|postgresql", ValueKind::Text,
            false, "Database backend",
            [](Config& c, std::string_view v, const std::string& o) { c.db.type = ValueParser::databaseType(v, o); },
            [] { return std::string(databaseTypeName(DbConfig{}.type)); }},
    Setting{"db.database_url", "--database-url", "KMS_DATABASE_URL", "URL", ValueKind::Text, true,
            "PostgreSQL URL (secret: prefer the environment variable)",
            [](Config& c, std::string_view v, const std::string&) { c.db.databaseUrl = v; },
            [] { return std::string("none"); }},
    Setting{"db.sqlite_path", "--sqlite-path", "KMS_SQLITE_PATH", "DIR", ValueKind::Text, false,
            "Directory of the SQLite database (created if missing)",
            [](Config& c, std::string_view v, const std::string&) { c.db.sqlitePath = v; },
            [] { return DbConfig{}.sqlitePath; }},
    Setting{"default_username", "--default-username", "KMS_DEFAULT_USERNAME", "USER", ValueKind::Text, false,
            "User of requests that carry no credentials",
            [](Config& c, std::string_view v, const std::string&) { c.defaultUsername = v; },
            [] { return Config{}.defaultUsername; }},
    Setting{"vendor_identification", "--vendor-identification", "KMS_VENDOR_IDENTIFICATION", "ID",
            ValueKind::Text, false, "Vendor identification of vendor attributes (tags, ...)",
            [](Config& c, std::string_view v, const std::string&) { c.vendorIdentification = v; },
            [] { return Config{}.vendorIdentification; }},
    Setting{"logging.level", "--log-level", "KMS_LOG_LEVEL", "LEVEL", ValueKind::Text, false,
            "Log level on stderr: error, warning, info or debug (one line per request)",
            [](Config& c, std::string_view v, const std::string& o) { c.logging.level = ValueParser::logLevel(v, o); },
            [] { return std::string(logLevelName(LoggingConfig{}.level)); }},
};

template <typename Field>
const Setting* findBy(Field field, std::string_view value) noexcept {
  for (const auto& setting : kSettings) {
    if (setting.*field == value) return &setting;
  }
  return nullptr;
}

}  // namespace

std::span<const Setting> Settings::all() noexcept { return kSettings; }

const Setting* Settings::byFlag(std::string_view flag) noexcept { return findBy(&Setting::flag, flag); }

const Setting* Settings::byEnv(std::string_view name) noexcept { return findBy(&Setting::env, name); }

const Setting* Settings::byPath(std::string_view path) noexcept { return findBy(&Setting::path, path); }

}  // namespace kms::config
