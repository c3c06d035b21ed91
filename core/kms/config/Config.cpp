#include "kms/config/Config.hpp"

namespace kms::config {

std::string_view databaseTypeName(DatabaseType type) noexcept {
  switch (type) {
    case DatabaseType::Sqlite:
      return "sqlite";
    case DatabaseType::Postgresql:
      return "postgresql";
  }
  return "sqlite";
}

std::string_view logLevelName(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Error:
      return "error";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "info";
}

std::string_view auditFlushName(AuditFlush flush) noexcept {
  return flush == AuditFlush::Interval ? "interval" : "event";
}

bool Config::authenticationConfigured() const noexcept {
  return apiTokenAuth || !idp.providers.empty() || !tls.clientsCaCertFile.empty();
}

std::string_view clientCertUserName(ClientCertUser field) noexcept {
  return field == ClientCertUser::Email ? "email" : "cn";
}

}  // namespace kms::config
