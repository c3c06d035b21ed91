#pragma once
// What every command shares: the global options, the configuration they override, the
// printer, and the one KmipClient, made on first use (so that --help and local commands need
// no configuration and no server).
#include <memory>
#include <optional>
#include <string>

#include "kms/cli/Config.hpp"
#include "kms/cli/KmipClient.hpp"
#include "kms/cli/Printer.hpp"

namespace kms::cli {

class Context {
 public:
  // Global options, filled by the parser.
  std::string confPath;
  std::string url;
  std::string caCertPath;
  std::string clientCertPath;
  std::string clientKeyPath;
  bool acceptInvalidCerts = false;
  bool json = false;
  bool quiet = false;
  std::optional<int> timeoutSeconds;

  KmipClient& client();
  [[nodiscard]] Printer printer() const { return Printer(json, quiet); }
  Config config() const;

 private:
  std::unique_ptr<KmipClient> client_;
};

}  // namespace kms::cli
