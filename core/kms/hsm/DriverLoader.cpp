#include "kms/hsm/DriverLoader.hpp"

#include <fmt/format.h>

#include <boost/dll/shared_library.hpp>
#include <map>
#include <mutex>
#include <system_error>

#include "kms/Exception.hpp"
#include "kms/hsm/AbiCheck.hpp"

namespace kms::hsm {

namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw Exception(ErrorCode::Unavailable, message);
}

std::mutex& cacheMutex() {
  static std::mutex mutex;
  return mutex;
}

// Path -> module, never emptied (see the header for why plugins are never unloaded).
std::map<std::string, std::shared_ptr<DriverModule>>& cache() {
  static auto* modules = new std::map<std::string, std::shared_ptr<DriverModule>>();  // never destroyed
  return *modules;
}

std::shared_ptr<DriverModule> open(const std::string& path) {
  std::error_code exists;
  if (!std::filesystem::exists(path, exists)) refuse(fmt::format("driver {} does not exist", path));

  boost::dll::shared_library library;
  std::error_code error;
  // RTLD_LOCAL (Boost.DLL's default): two drivers never resolve each other's symbols.
  library.load(path, error, boost::dll::load_mode::default_mode);
  if (error) refuse(fmt::format("cannot load driver {}: {}", path, error.message()));
  if (!library.has(KMS_DRIVER_ENTRY_SYMBOL)) {
    refuse(fmt::format("driver {} does not export {} (not a kmsd driver)", path, KMS_DRIVER_ENTRY_SYMBOL));
  }
  auto* get = library.get<std::remove_pointer_t<kms_driver_get_fn>>(KMS_DRIVER_ENTRY_SYMBOL);

  const kms_driver_v1* table = nullptr;
  const kms_status status = get(KMS_DRIVER_ABI_MAJOR, KMS_DRIVER_ABI_MINOR, &table);
  AbiCheck::checkGet(path, status, table);
  AbiCheck::checkTable(path, *table);
  return std::make_shared<DriverModule>(std::move(library), table, path);
}

}  // namespace

DriverLoader::DriverLoader(std::filesystem::path pluginsDir) : pluginsDir_(std::move(pluginsDir)) {}

std::string DriverLoader::fileNameFor(std::string_view model) {
  return fmt::format("libkms_{}.so", model == "other" ? std::string_view("generic") : model);
}

std::filesystem::path DriverLoader::pathFor(std::string_view model) const {
  return pluginsDir_ / fileNameFor(model);
}

std::shared_ptr<DriverModule> DriverLoader::load(std::string_view model) const {
  const auto path = pathFor(model);
  std::error_code exists;
  if (!std::filesystem::exists(path, exists)) {
    refuse(fmt::format("no driver for HSM model '{}': {} does not exist (plugins_dir is {})", model, path.string(),
                       pluginsDir_.string()));
  }
  return loadFile(path, model);
}

std::shared_ptr<DriverModule> DriverLoader::loadFile(const std::filesystem::path& path,
                                                     std::string_view expectedModel) {
  std::error_code canonicalError;
  auto canonical = std::filesystem::weakly_canonical(path, canonicalError);
  const std::string key = canonicalError ? path.string() : canonical.string();

  std::shared_ptr<DriverModule> module;
  {
    const std::lock_guard lock(cacheMutex());
    auto& modules = cache();
    auto it = modules.find(key);
    if (it == modules.end()) it = modules.emplace(key, open(path.string())).first;
    module = it->second;
  }
  AbiCheck::checkModel(module->path(), module->info(), expectedModel);
  return module;
}

}  // namespace kms::hsm
