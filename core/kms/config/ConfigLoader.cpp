#include "kms/config/ConfigLoader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include "kms/config/CommandLine.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigValidator.hpp"
#include "kms/config/FileSchema.hpp"
#include "kms/config/Printable.hpp"
#include "kms/config/TomlSource.hpp"
#include "kms/config/YamlSource.hpp"

namespace kms::config {
namespace {

std::string readFile(const std::string& path, const std::string& origin) {
  // stdio rather than ifstream: it reports why (a directory reads as EISDIR, not as empty).
  const auto fail = [&](int error) {
    return ConfigError(fmt::format("{}: cannot read '{}': {}", origin, printable(path), std::strerror(error)));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw fail(errno);
  std::string text;
  std::array<char, 8192> buffer{};
  // Never read again once the stream is at its end or in error.
  while (std::feof(file.get()) == 0 && std::ferror(file.get()) == 0) {
    const std::size_t count = std::fread(buffer.data(), 1, buffer.size(), file.get());
    text.append(buffer.data(), count);
  }
  if (std::ferror(file.get())) throw fail(errno);
  return text;
}

// A secret given as a file: its first line, without the line end (`echo secret > file`).
void readSecretFile(std::string& secret, const std::string& file, const ConfigValidator::Origins& origins,
                    std::string_view fileKey, std::string_view secretKey) {
  if (file.empty()) return;
  const auto origin = origins.find(fileKey);
  const std::string where = origin != origins.end() ? origin->second : std::string(fileKey);
  if (!secret.empty()) {
    throw ConfigError(fmt::format("{}: give either {} or this file, not both", where, secretKey));
  }
  secret = readFile(file, where);
  secret.resize(std::min(secret.size(), secret.find_first_of("\r\n")));
}

bool isYaml(const std::string& path) {
  return path.ends_with(".yaml") || path.ends_with(".yml");
}

class Applier {
 public:
  explicit Applier(Config& config) : config_(config) {}

  // `assignments` come from one source: a list it sets replaces the list of earlier sources.
  void apply(const std::vector<Assignment>& assignments) {
    std::set<const Setting*> cleared;
    for (const auto& assignment : assignments) {
      if (assignment.setting->clear != nullptr && cleared.insert(assignment.setting).second) {
        assignment.setting->clear(config_);
      }
      assignment.setting->apply(config_, assignment.value, assignment.origin);
      origins_[assignment.setting->path] = assignment.origin;
    }
  }

  [[nodiscard]] const ConfigValidator::Origins& origins() const noexcept { return origins_; }

 private:
  Config& config_;
  ConfigValidator::Origins origins_;
};

}  // namespace

LoadedConfig ConfigLoader::load(const std::vector<std::string>& arguments,
                                const EnvironmentSource::Variables& environment) {
  LoadedConfig loaded;
  const CommandLine commandLine(arguments);
  loaded.helpRequested = commandLine.helpRequested();
  loaded.versionRequested = commandLine.versionRequested();
  if (loaded.helpRequested || loaded.versionRequested) return loaded;

  const EnvironmentSource environmentSource(environment);
  loaded.warnings = environmentSource.warnings();

  Applier applier(loaded.config);
  std::optional<std::pair<std::string, std::string>> file;  // path, where the path came from
  if (commandLine.configFile()) {
    file.emplace(*commandLine.configFile(), "--config");
  } else if (environmentSource.configFile()) {
    file.emplace(*environmentSource.configFile(), "KMS_CONFIG");
  }
  if (file) {
    const auto& [path, origin] = *file;
    const std::string text = readFile(path, origin);
    const FileNode root = isYaml(path) ? YamlSource::parse(text, path) : TomlSource::parse(text, path);
    auto interpreted = FileSchema::interpret(root, path);
    applier.apply(interpreted.assignments);
    loaded.config.hsm.instances = std::move(interpreted.hsmInstances);
    loaded.warnings.insert(loaded.warnings.end(), interpreted.warnings.begin(), interpreted.warnings.end());
    loaded.config.configFile = path;
  }
  applier.apply(environmentSource.assignments());
  applier.apply(commandLine.assignments());

  // Without authentication every request is the default user with every right: unless the
  // operator names an address, listen on loopback only (main warns when one names another).
  // With authentication, Cosmian's default: every interface.
  loaded.config.http.hostnameExplicit = applier.origins().contains("http.hostname");
  if (!loaded.config.http.hostnameExplicit) {
    loaded.config.http.hostname = loaded.config.authenticationConfigured() ? "0.0.0.0" : "127.0.0.1";
  }

  // The KMIP socket listens where HTTP does and takes messages as large as HTTP bodies, unless
  // told otherwise.
  if (!applier.origins().contains("socket_server.socket_server_hostname")) {
    loaded.config.socketServer.hostname = loaded.config.http.hostname;
  }
  if (!applier.origins().contains("socket_server.socket_server_max_message_size")) {
    loaded.config.socketServer.maxMessageSize = loaded.config.http.maxBodySize;
  }

  auto& xks = loaded.config.awsXks;
  readSecretFile(xks.primary.secretAccessKey, xks.primary.secretAccessKeyFile, applier.origins(),
                 "aws_xks_config.aws_xks_sigv4_secret_access_key_file", "aws_xks_sigv4_secret_access_key");
  readSecretFile(xks.secondary.secretAccessKey, xks.secondary.secretAccessKeyFile, applier.origins(),
                 "aws_xks_config.aws_xks_sigv4_secondary_secret_access_key_file",
                 "aws_xks_sigv4_secondary_secret_access_key");

  ConfigValidator::validate(loaded.config, applier.origins());
  return loaded;
}

LoadedConfig ConfigLoader::load(int argc, const char* const* argv) {
  std::vector<std::string> arguments;
  for (int i = 1; i < argc; ++i) arguments.emplace_back(argv[i]);
  return load(arguments, EnvironmentSource::processVariables());
}

}  // namespace kms::config
