#include "kms/cli/Config.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "kms/cli/CliError.hpp"

namespace kms::cli {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

// A relative path in the file is relative to the file, as a user who writes it expects.
std::string resolved(const std::string& value, const std::filesystem::path& file) {
  if (value.empty()) return value;
  std::filesystem::path path(value);
  if (path.is_relative()) path = file.parent_path() / path;
  return path.string();
}

void readHttpConfig(const toml::table& table, const std::filesystem::path& file, Config& config) {
  const auto text = [&](const char* key, std::string& out, bool isPath) {
    const auto* node = table.get(key);
    if (node == nullptr) return;
    const auto value = node->value<std::string>();
    if (!value) {
      throw CliError(ExitCode::Usage, fmt::format("{}: [http_config] {} must be a string", file.string(), key));
    }
    out = isPath ? resolved(*value, file) : *value;
  };
  text("server_url", config.serverUrl, false);
  text("tls_client_pem_cert_path", config.clientCertPath, true);
  text("tls_client_pem_key_path", config.clientKeyPath, true);
  text("ssl_client_pkcs12_path", config.pkcs12Path, true);
  text("ssl_client_pkcs12_password", config.pkcs12Password, false);
  text("access_token", config.accessToken, false);
  text("access_token_file", config.accessTokenFile, true);
  // ckms names the PEM it trusts for the server `verified_cert`; kmsd's client also reads a path.
  text("tls_server_ca_pem_path", config.caCertPath, true);
  if (const auto* node = table.get("verified_cert")) {
    const auto value = node->value<std::string>();
    if (!value) {
      throw CliError(ExitCode::Usage, fmt::format("{}: [http_config] verified_cert must be a string", file.string()));
    }
    config.caCertPath = resolved(*value, file);
  }
  if (const auto* node = table.get("accept_invalid_certs")) {
    const auto value = node->value<bool>();
    if (!value) {
      throw CliError(ExitCode::Usage,
                     fmt::format("{}: [http_config] accept_invalid_certs must be true or false", file.string()));
    }
    config.acceptInvalidCerts = *value;
  }
  if (const auto* node = table.get("timeout_seconds")) {
    const auto value = node->value<std::int64_t>();
    if (!value || *value <= 0 || *value > 3600) {
      throw CliError(ExitCode::Usage, fmt::format("{}: [http_config] timeout_seconds must be 1..3600", file.string()));
    }
    config.timeoutSeconds = static_cast<int>(*value);
  }
}

}  // namespace

std::string Config::defaultPath() {
  std::string named = env("KMS_CLI_CONF");
  if (!named.empty()) return named;
  const std::string home = env("HOME");
  if (home.empty()) return {};
  return (std::filesystem::path(home) / ".config" / "kms" / "cli.toml").string();
}

Config Config::load(const std::string& path) {
  Config config;
  const bool named = !path.empty() || !env("KMS_CLI_CONF").empty();
  const std::filesystem::path file = path.empty() ? defaultPath() : path;
  std::error_code ec;
  if (!file.empty() && std::filesystem::exists(file, ec)) {
    toml::table root;
    try {
      root = toml::parse_file(file.string());
    } catch (const toml::parse_error& error) {
      throw CliError(ExitCode::Usage, fmt::format("{}:{}: {}", file.string(), error.source().begin.line,
                                                  std::string(error.description())));
    }
    if (const auto* http = root.get_as<toml::table>("http_config")) readHttpConfig(*http, file, config);
    config.source = file.string();
  } else if (named) {
    throw CliError(ExitCode::Usage,
                   fmt::format("the configuration file {} does not exist (KMS_CLI_CONF or --conf)", file.string()));
  }
  const std::string token = env("KMS_CLI_ACCESS_TOKEN");
  if (!token.empty()) config.accessToken = token;
  const std::string tokenFile = env("KMS_CLI_ACCESS_TOKEN_FILE");
  if (!tokenFile.empty()) config.accessTokenFile = tokenFile;
  return config;
}

std::optional<std::string> Config::bearerToken() const {
  if (!accessToken.empty()) return accessToken;
  if (accessTokenFile.empty()) return std::nullopt;
  std::ifstream in(accessTokenFile);
  if (!in) {
    throw CliError(ExitCode::LocalFile, fmt::format("cannot read the access token file {}", accessTokenFile));
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) {
    throw CliError(ExitCode::LocalFile, fmt::format("the access token file {} is empty", accessTokenFile));
  }
  return line;
}

std::string Config::toToml() const {
  toml::table http;
  const auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) http.insert(key, value);
  };
  http.insert("server_url", serverUrl);
  text("tls_server_ca_pem_path", caCertPath);
  if (acceptInvalidCerts) http.insert("accept_invalid_certs", true);
  text("tls_client_pem_cert_path", clientCertPath);
  text("tls_client_pem_key_path", clientKeyPath);
  text("ssl_client_pkcs12_path", pkcs12Path);
  text("ssl_client_pkcs12_password", pkcs12Password);
  text("access_token", accessToken);
  text("access_token_file", accessTokenFile);
  if (timeoutSeconds != Config().timeoutSeconds) {
    http.insert("timeout_seconds", static_cast<std::int64_t>(timeoutSeconds));
  }
  toml::table root;
  root.insert("http_config", std::move(http));
  std::ostringstream out;
  out << "# kms client configuration (docs/cli.md), written by kms configure\n" << root << "\n";
  return out.str();
}

}  // namespace kms::cli
