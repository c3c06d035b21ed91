#include "kms/config/ConfigValidator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

std::string originOf(const ConfigValidator::Origins& origins, std::string_view path) {
  const auto found = origins.find(path);
  return found != origins.end() ? found->second : std::string(path);
}

void requireNonEmpty(const std::string& value, const ConfigValidator::Origins& origins, std::string_view path) {
  if (value.empty()) throw ConfigError(fmt::format("{}: must not be empty", originOf(origins, path)));
}

// A file the server reads at start: named in the message with its key, so that the one line
// kmsd prints says what to fix. The path is shown (it is no secret); the content never.
void requireReadable(const std::string& path, const ConfigValidator::Origins& origins, std::string_view key) {
  if (path.empty()) return;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw ConfigError(
        fmt::format("{}: cannot read '{}': {}", originOf(origins, key), printable(path), std::strerror(errno)));
  }
  std::fclose(file);
}

void validateTls(const TlsConfig& tls, const ConfigValidator::Origins& origins) {
  if (!tls.p12File.empty() && (!tls.certFile.empty() || !tls.keyFile.empty())) {
    throw ConfigError(fmt::format("{}: give either a PKCS#12 file or PEM certificate and key files, not both",
                                  originOf(origins, "tls.tls_p12_file")));
  }
  if (!tls.certFile.empty() && tls.keyFile.empty()) {
    throw ConfigError(fmt::format("{}: needs tls_key_file (the private key of the certificate)",
                                  originOf(origins, "tls.tls_cert_file")));
  }
  if (tls.certFile.empty() && !tls.keyFile.empty()) {
    throw ConfigError(fmt::format("{}: needs tls_cert_file", originOf(origins, "tls.tls_key_file")));
  }
  if (!tls.p12Password.empty() && tls.p12File.empty()) {
    throw ConfigError(fmt::format("{}: given without tls_p12_file", originOf(origins, "tls.tls_p12_password")));
  }
  if (!tls.chainFile.empty() && tls.certFile.empty()) {
    throw ConfigError(fmt::format("{}: needs tls_cert_file", originOf(origins, "tls.tls_chain_file")));
  }
  // Client certificates travel in the TLS handshake: without TLS they cannot be asked for, and
  // accepting the key would leave the operator believing clients are verified.
  if (!tls.clientsCaCertFile.empty() && !tls.enabled()) {
    throw ConfigError(
        fmt::format("{}: client certificates need TLS (tls_cert_file and tls_key_file, or "
                    "tls_p12_file)",
                    originOf(origins, "tls.clients_ca_cert_file")));
  }
  requireReadable(tls.certFile, origins, "tls.tls_cert_file");
  requireReadable(tls.keyFile, origins, "tls.tls_key_file");
  requireReadable(tls.chainFile, origins, "tls.tls_chain_file");
  requireReadable(tls.p12File, origins, "tls.tls_p12_file");
  requireReadable(tls.clientsCaCertFile, origins, "tls.clients_ca_cert_file");
}

// [aws_xks_config] when enabled: what SigV4 verification needs, and a URI path AWS accepts
// (XksProxyUriPath: at most 128 characters of a-z A-Z 0-9 / - _, ending in /kms/xks/v1).
void validateAwsXks(const AwsXksConfig& xks, const ConfigValidator::Origins& origins) {
  if (!xks.enable) return;
  requireNonEmpty(xks.region, origins, "aws_xks_config.aws_xks_region");
  requireNonEmpty(xks.service, origins, "aws_xks_config.aws_xks_service");
  requireNonEmpty(xks.user, origins, "aws_xks_config.aws_xks_user");
  requireNonEmpty(xks.primary.accessKeyId, origins, "aws_xks_config.aws_xks_sigv4_access_key_id");
  requireNonEmpty(xks.primary.secretAccessKey, origins, "aws_xks_config.aws_xks_sigv4_secret_access_key");
  if (xks.secondary.accessKeyId.empty() != xks.secondary.secretAccessKey.empty()) {
    throw ConfigError(fmt::format("{}: the second SigV4 credential needs both its access key id and its secret",
                                  originOf(origins, "aws_xks_config.aws_xks_sigv4_secondary_access_key_id")));
  }
  if (!xks.secondary.accessKeyId.empty() && xks.secondary.accessKeyId == xks.primary.accessKeyId) {
    throw ConfigError(fmt::format("{}: must differ from aws_xks_sigv4_access_key_id (the id names the secret)",
                                  originOf(origins, "aws_xks_config.aws_xks_sigv4_secondary_access_key_id")));
  }
  const std::string& prefix = xks.uriPathPrefix;
  const bool charsOk = std::all_of(prefix.begin(), prefix.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '/' || ch == '-' ||
           ch == '_';
  });
  if (!charsOk || (!prefix.empty() && prefix.front() != '/') || prefix.size() + 11 > 128) {
    throw ConfigError(
        fmt::format("{}: must be empty or start with '/', hold only a-z A-Z 0-9 / - _ and leave "
                    "room for /kms/xks/v1 in 128 characters",
                    originOf(origins, "aws_xks_config.aws_xks_uri_path_prefix")));
  }
}

}  // namespace

void ConfigValidator::validate(const Config& config, const Origins& origins) {
  if (config.db.type == DatabaseType::Postgresql && config.db.databaseUrl.empty()) {
    throw ConfigError(fmt::format("{}: database_type postgresql needs database_url (postgresql://user@host:port/db)",
                                  originOf(origins, "db.database_type")));
  }
  // A URL only means something to PostgreSQL; accepting it with SQLite would leave the
  // operator believing data goes where it does not. Its value is a secret: never shown.
  if (config.db.type == DatabaseType::Sqlite && !config.db.databaseUrl.empty()) {
    throw ConfigError(fmt::format("{}: database_url is set but database_type is sqlite; add --database-type postgresql",
                                  originOf(origins, "db.database_url")));
  }
  requireNonEmpty(config.http.hostname, origins, "http.hostname");
  requireNonEmpty(config.db.sqlitePath, origins, "db.sqlite_path");
  requireNonEmpty(config.defaultUsername, origins, "default_username");
  requireNonEmpty(config.vendorIdentification, origins, "vendor_identification");
  requireNonEmpty(config.idp.userClaim, origins, "idp_auth.jwt_user_claim");
  validateTls(config.tls, origins);
  validateAwsXks(config.awsXks, origins);
  // KMIP clients on 5696 authenticate with their TLS certificate only: without TLS and a
  // client CA the socket would serve everyone as the default user.
  if (config.socketServer.start && (!config.tls.enabled() || config.tls.clientsCaCertFile.empty())) {
    throw ConfigError(
        fmt::format("{}: the KMIP socket server needs TLS with client certificates: set [tls] "
                    "tls_cert_file and tls_key_file (or tls_p12_file) and clients_ca_cert_file",
                    originOf(origins, "socket_server.socket_server_start")));
  }
  if (config.socketServer.start) {
    requireNonEmpty(config.socketServer.hostname, origins, "socket_server.socket_server_hostname");
  }
  // The key-encryption key never leaves an HSM: a database key as KEK would store keys in the
  // clear next to the key that wraps them. Whether the key exists is checked once HSMs are open.
  if (!config.keyEncryptionKey.empty() && !config.keyEncryptionKey.starts_with("hsm::")) {
    throw ConfigError(fmt::format("{}: key_encryption_key must name an HSM key (hsm::<model>::<slot>::<key>)",
                                  originOf(origins, "key_encryption_key")));
  }
  // Tokens are issued by an authenticated administrator: with no other method nobody could
  // ever authenticate to issue the first one.
  if (config.apiTokenAuth && config.tls.clientsCaCertFile.empty() && config.idp.providers.empty()) {
    throw ConfigError(
        fmt::format("{}: API tokens are issued by an authenticated administrator: enable client "
                    "certificates (clients_ca_cert_file) or jwt_auth_provider as well",
                    originOf(origins, "api_token_auth")));
  }
  // Token administration is a role of the configuration, never of a name: without
  // privileged_users nobody could issue a token.
  if (config.apiTokenAuth && config.privilegedUsers.empty()) {
    throw ConfigError(
        fmt::format("{}: API tokens are issued by privileged users: set privileged_users (the token administrators)",
                    originOf(origins, "api_token_auth")));
  }
  // DKE callers are Entra ID users: without a provider whose tokens are meant for Azure RMS no
  // caller could ever authenticate, and a provider that checks no audience would let tokens
  // meant for other services decrypt.
  if (config.msDke.enable) {
    const bool entra = std::any_of(config.idp.providers.begin(), config.idp.providers.end(), [](const auto& p) {
      return std::find(p.audiences.begin(), p.audiences.end(), "https://aadrm.com") != p.audiences.end();
    });
    if (!entra) {
      throw ConfigError(fmt::format(
          "{}: Double Key Encryption needs a jwt_auth_provider with the audience https://aadrm.com (Entra ID "
          "tokens for Azure RMS): ISSUER,JWKS_URI,https://aadrm.com",
          originOf(origins, "ms_dke_config.ms_dke_enable")));
    }
  }
  // Google's authorization tokens name the KACLS they are for (kacls_url): kmsd compares it with
  // kms_public_url + /google_cse, and the users' own tokens come from a jwt_auth_provider.
  if (config.googleCse.enable) {
    if (config.publicUrl.empty()) {
      throw ConfigError(
          fmt::format("{}: Google CSE needs kms_public_url (the KACLS URL is kms_public_url + "
                      "/google_cse, as given to the Workspace admin console)",
                      originOf(origins, "google_cse_config.google_cse_enable")));
    }
    if (config.idp.providers.empty()) {
      throw ConfigError(
          fmt::format("{}: Google CSE needs a jwt_auth_provider for the users' identity provider (it "
                      "verifies each call's authentication token)",
                      originOf(origins, "google_cse_config.google_cse_enable")));
    }
    const auto& uris = config.googleCse.authorizationJwksUris;
    const std::size_t issuers =
        config.googleCse.authorizationIssuers.empty() ? 5 : config.googleCse.authorizationIssuers.size();  // Google's 5
    if (uris.size() > 1 && uris.size() != issuers) {
      throw ConfigError(
          fmt::format("{}: {} JWKS URIs for {} authorization issuers: give one for all, or one per issuer",
                      originOf(origins, "google_cse_config.google_cse_authorization_jwks_uri"), uris.size(), issuers));
    }
  }
  if (!config.publicUrl.empty() && !config.publicUrl.starts_with("https://") &&
      !config.publicUrl.starts_with("http://")) {
    throw ConfigError(fmt::format("{}: must be an http(s):// URL, e.g. https://kms.example.com",
                                  originOf(origins, "kms_public_url")));
  }
  if (!config.msDke.serviceUrl.empty() && !config.msDke.serviceUrl.starts_with("https://") &&
      !config.msDke.serviceUrl.starts_with("http://")) {
    throw ConfigError(fmt::format("{}: must be an http(s):// URL, e.g. https://dke.example.com/ms_dke",
                                  originOf(origins, "ms_dke_service_url")));
  }
  // The default user applies only when no authentication method is configured: with one,
  // force_default_username would give every authenticated user the default user's rights
  // (its objects, and hsm_admin where it is the documented default "admin").
  if (config.forceDefaultUsername && config.authenticationConfigured()) {
    throw ConfigError(
        fmt::format("{}: refused: with authentication configured every request acts as the user it authenticates "
                    "(acting as default_username '{}' would give every user its rights)",
                    originOf(origins, "force_default_username"), printable(config.defaultUsername)));
  }
}

}  // namespace kms::config
