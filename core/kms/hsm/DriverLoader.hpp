#pragma once
// Finds and loads driver plugins. A model name maps to one file in the plugin directory:
// `libkms_<model>.so`, except the generic driver, whose model is `other` and whose file is
// libkms_generic.so. Only the C symbol kms_driver_get is resolved (Boost.DLL); its table is
// checked by AbiCheck before anything else is called.
//
// Loaded modules are kept for the life of the process, keyed by file path, like p11-kit keeps
// its modules: a driver's PKCS#11 library may run threads or keep state (never_finalize) that
// must not outlive the code, and reloading a plugin at runtime gains nothing.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "kms/hsm/DriverModule.hpp"

namespace kms::hsm {

class DriverLoader {
 public:
  static constexpr std::string_view kDefaultPluginsDir = "/usr/lib/kms/plugins";

  explicit DriverLoader(std::filesystem::path pluginsDir = std::filesystem::path(kDefaultPluginsDir));

  [[nodiscard]] const std::filesystem::path& pluginsDir() const noexcept { return pluginsDir_; }
  // "libkms_softhsm2.so"; "libkms_generic.so" for model "other".
  [[nodiscard]] static std::string fileNameFor(std::string_view model);
  [[nodiscard]] std::filesystem::path pathFor(std::string_view model) const;

  // The driver for `model` from the plugin directory. Throws kms::Exception(Unavailable) with a
  // message naming the file, and for an ABI refusal the field and both values.
  [[nodiscard]] std::shared_ptr<DriverModule> load(std::string_view model) const;
  // A driver at an explicit path, which must declare `expectedModel`.
  [[nodiscard]] static std::shared_ptr<DriverModule> loadFile(const std::filesystem::path& path,
                                                              std::string_view expectedModel);

 private:
  std::filesystem::path pluginsDir_;
};

}  // namespace kms::hsm
