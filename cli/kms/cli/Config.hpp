#pragma once
// Where the server is and how to prove who we are. Read from the client configuration file
// (KMS_CLI_CONF, else ~/.config/kms/cli.toml), whose [http_config] table takes the keys of
// Cosmian's ckms so that an existing file works; then the environment; then the flags.
#include <optional>
#include <string>

namespace kms::cli {

class Config {
 public:
  static constexpr const char* kDefaultUrl = "http://127.0.0.1:9998";

  std::string serverUrl = kDefaultUrl;
  bool acceptInvalidCerts = false;
  std::string caCertPath;      // PEM bundle trusted for the server certificate (else the system's)
  std::string clientCertPath;  // PEM client certificate ...
  std::string clientKeyPath;   // ... and its key
  std::string pkcs12Path;      // or both in a PKCS#12 file
  std::string pkcs12Password;
  std::string accessToken;      // bearer token (JWT or kmsd API token)
  std::string accessTokenFile;  // a file holding the token (first line)
  int timeoutSeconds = 60;
  std::string source;  // the file read, or empty: for messages

  // The file to read: KMS_CLI_CONF when set, else ~/.config/kms/cli.toml.
  static std::string defaultPath();

  // Reads `path` (KMS_CLI_CONF or the default path when empty). A missing default file gives
  // the defaults; a missing file that was named, or a file that does not parse, throws
  // CliError(Usage). Then KMS_CLI_ACCESS_TOKEN and KMS_CLI_ACCESS_TOKEN_FILE apply.
  static Config load(const std::string& path = {});

  // The bearer token to send, or nullopt: accessToken, else the first line of accessTokenFile.
  [[nodiscard]] std::optional<std::string> bearerToken() const;

  // The file `load` reads back into this configuration: an [http_config] table of the keys
  // that differ from the defaults (kms configure). It holds the secrets it is given (token,
  // PKCS#12 password): write it readable by its owner only.
  [[nodiscard]] std::string toToml() const;
};

}  // namespace kms::cli
