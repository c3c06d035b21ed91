#include "kms/cli/Context.hpp"

namespace kms::cli {

Config Context::config() const {
  Config config = Config::load(confPath);
  if (!url.empty()) config.serverUrl = url;
  if (!caCertPath.empty()) config.caCertPath = caCertPath;
  if (!clientCertPath.empty()) {
    config.clientCertPath = clientCertPath;
    config.clientKeyPath = clientKeyPath;
    config.pkcs12Path.clear();
  }
  if (acceptInvalidCerts) config.acceptInvalidCerts = true;
  if (timeoutSeconds) config.timeoutSeconds = *timeoutSeconds;
  return config;
}

KmipClient& Context::client() {
  if (!client_) client_ = std::make_unique<KmipClient>(config());
  return *client_;
}

}  // namespace kms::cli
