#pragma once
// Fills the Config from its sources, later wins: built-in defaults < configuration file <
// KMS_* environment < command-line flags. The file is the one named by --config, else by
// KMS_CONFIG; without either no file is read (no implicit /etc path: what runs is what the
// command line and environment say).
#include <string>
#include <vector>

#include "kms/config/Config.hpp"
#include "kms/config/EnvironmentSource.hpp"

namespace kms::config {

struct LoadedConfig {
  Config config;
  bool helpRequested = false;
  bool versionRequested = false;
  std::vector<std::string> warnings;  // one line each, for the log once it is set up
};

class ConfigLoader {
 public:
  // `arguments` excludes the program name. With --help or --version nothing else is read, so
  // that both work whatever the environment and file hold. Throws ConfigError.
  static LoadedConfig load(const std::vector<std::string>& arguments, const EnvironmentSource::Variables& environment);

  // The whole process: argv and this process's KMS_* variables.
  static LoadedConfig load(int argc, const char* const* argv);
};

}  // namespace kms::config
