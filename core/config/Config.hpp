#pragma once
// The whole server's configuration. Later issues add their own nested sections (tls, auth,
// hsm, ...) next to http and db; every field has its built-in default here, so a
// default-constructed Config is a runnable server.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kms::config {

enum class DatabaseType { Sqlite, Postgresql };
enum class LogLevel { Error, Warning, Info, Debug };

std::string_view databaseTypeName(DatabaseType type) noexcept;
std::string_view logLevelName(LogLevel level) noexcept;

struct HttpConfig {
  // Cosmian's default. Our README starts kmsd on 127.0.0.1 explicitly.
  std::string hostname = "0.0.0.0";
  std::uint16_t port = 9998;  // 0 picks a free port (tests)
  std::size_t maxBodySize = std::size_t{64} << 20;
  // Poco's HTTPServer holds one thread per keep-alive connection (DESIGN §11): connections
  // beyond this number wait in the queue and are not served at all until one closes.
  unsigned threads = 64;
  unsigned maxQueued = 256;  // accepted connections waiting for a thread
};

struct DbConfig {
  DatabaseType type = DatabaseType::Sqlite;
  std::string databaseUrl;  // secret: may hold a password; never printed
  std::string sqlitePath = "./var/sqlite";  // a directory
};

struct LoggingConfig {
  LogLevel level = LogLevel::Info;  // debug adds one line per HTTP request
};

struct Config {
  std::string configFile;  // the file that was read, empty when none
  HttpConfig http;
  DbConfig db;
  LoggingConfig logging;
  std::string defaultUsername = "admin";  // the user of every request until auth lands
  std::string vendorIdentification = "cosmian";
};

}  // namespace kms::config
