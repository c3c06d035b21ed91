#include "SoftHsmTokens.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>

#include "kms/hsm/DriverLoader.hpp"

namespace kms::hsm::test {

namespace {

std::string run(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  while (const auto n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("failed: " + command);
  return out;
}

struct Cleanup {
  std::string directory;
  ~Cleanup() {
    if (!directory.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(directory, ignored);
    }
  }
};

}  // namespace

const SoftHsmTokens& softHsm() {
  static std::once_flag once;
  static SoftHsmTokens tokens;
  static Cleanup cleanup;
  std::call_once(once, [] {
    const auto directory = std::filesystem::temp_directory_path() / ("kms-unit-hsm-" + std::to_string(::getpid()));
    cleanup.directory = directory.string();
    const auto json = run(std::string(KMS_TEST_PYTHON) + " " + KMS_TEST_SOFTHSM_PY + " init " + directory.string() +
                          " --tokens 3 --label-prefix unit-hsm");
    Poco::JSON::Parser parser;
    const auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    tokens.directory = directory.string();
    tokens.library = root->getValue<std::string>("library");
    const auto list = root->getArray("tokens");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto token = list->getObject(static_cast<unsigned>(i));
      tokens.tokens.push_back(SoftHsmToken{token->getValue<std::string>("label"),
                                           token->getValue<std::uint64_t>("slot_id"),
                                           token->getValue<std::string>("pin")});
    }
    ::setenv("SOFTHSM2_CONF", root->getValue<std::string>("conf").c_str(), 1);
  });
  return tokens;
}

std::filesystem::path pluginDir(const std::string& model) {
  static std::mutex mutex;
  static std::map<std::string, std::filesystem::path> found;
  const std::lock_guard lock(mutex);
  if (auto it = found.find(model); it != found.end()) return it->second;
  const auto file = DriverLoader::fileNameFor(model);
  std::filesystem::path result;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(KMS_TEST_BUILD_DIR, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().filename() == file && it->path().string().find("/CMakeFiles/") == std::string::npos) {
      result = it->path().parent_path();
      break;
    }
  }
  found[model] = result;
  return result;
}

const std::vector<std::string>& pluginModels() {
  static const std::vector<std::string> models = {"proteccio", "utimaco",   "smartcardhsm",
                                                  "softhsm2",  "crypt2pay", "other"};
  return models;
}

}  // namespace kms::hsm::test
