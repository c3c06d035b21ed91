// The configuration file readers: the fuzz input is a kms.toml (or, built with
// KMS_FUZZ_CONFIG_YAML, a kms.yaml) read the way kmsd reads it at start (ConfigLoader: the
// TOML or YAML parser, FileSchema, the value parsers, [[hsm_instances]], the validator, then
// HsmConfigBuilder as main() calls it).
// Whatever the file holds, load() returns or throws ConfigError, which kmsd reports as one line;
// any other exception would end kmsd in std::terminate, so it is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"
#include "kms/hsm/HsmConfigBuilder.hpp"

namespace {

#ifdef KMS_FUZZ_CONFIG_YAML
constexpr const char* kFileName = "kms.yaml";
#else
constexpr const char* kFileName = "kms.toml";
#endif

std::string& configPath() {
  static std::string path;
  return path;
}

void removeDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(std::filesystem::path(configPath()).parent_path(), ignored);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = (std::filesystem::temp_directory_path() / "kms-fuzz-config-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  configPath() = pattern + "/" + kFileName;
  std::atexit(removeDirectory);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(configPath().c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  try {
    const auto loaded = kms::config::ConfigLoader::load({"--config", configPath()}, {});
    (void)kms::hsm::HsmConfigBuilder::build(loaded.config);
  } catch (const kms::config::ConfigError&) {
    // the one answer a bad file may get
  }
  return 0;
}
