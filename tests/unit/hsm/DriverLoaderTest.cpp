// What the host checks before using a driver (docs/abi.md), each refusal with its exact text.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <unistd.h>

#include "OldDriver.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/DriverLoader.hpp"

using kms::hsm::DriverLoader;

namespace {

std::string fake(const std::string& name) {
  return std::string(KMS_TEST_FAKE_PLUGINS_DIR) + "/libkms_" + name + ".so";
}

std::string refusal(const DriverLoader& loader, const std::string& model) {
  try {
    (void)loader.load(model);
  } catch (const kms::Exception& e) {
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    return e.what();
  }
  return "loaded";
}

}  // namespace

TEST_CASE("model names map to plugin files; 'other' is the generic driver") {
  CHECK(DriverLoader::fileNameFor("softhsm2") == "libkms_softhsm2.so");
  CHECK(DriverLoader::fileNameFor("other") == "libkms_generic.so");
  CHECK(DriverLoader().pluginsDir() == "/usr/lib/kms/plugins");
  CHECK(DriverLoader("/opt/p").pathFor("utimaco") == "/opt/p/libkms_utimaco.so");
}

TEST_CASE("a missing plugin names the model, the file and plugins_dir") {
  const DriverLoader loader("/nonexistent/plugins");
  CHECK(refusal(loader, "proteccio") ==
        "no driver for HSM model 'proteccio': /nonexistent/plugins/libkms_proteccio.so does not exist "
        "(plugins_dir is /nonexistent/plugins)");
}

TEST_CASE("ABI refusals name the field and both values") {
  const DriverLoader loader(KMS_TEST_FAKE_PLUGINS_DIR);
  CHECK(refusal(loader, "future") ==
        "driver " + fake("future") + " speaks ABI 2.0, kmsd speaks 1.0 (abi_major differs)");
  CHECK(refusal(loader, "refuse") ==
        "driver " + fake("refuse") + " refuses ABI 1.0 spoken by kmsd (kms_driver_get returned 2: not supported)");
  CHECK(refusal(loader, "short") ==
        "driver " + fake("short") + ": kms_driver_v1.struct_size is 16, kmsd needs at least 136 (the ABI 1.0 members)");
  CHECK(refusal(loader, "nosymbol") ==
        "driver " + fake("nosymbol") + " does not export kms_driver_get (not a kmsd driver)");
  CHECK(refusal(loader, "model") ==
        "driver " + fake("model") + " is for model 'softhsm2', the configuration names model 'model' (model differs)");
}

TEST_CASE("a file that is not a shared object is refused with the loader's reason") {
  const auto dir = std::filesystem::temp_directory_path() / ("kms-loader-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "libkms_text.so") << "not an ELF file\n"; }
  const std::string message = refusal(DriverLoader(dir), "text");
  CHECK(message.rfind("cannot load driver " + (dir / "libkms_text.so").string() + ": ", 0) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("old driver, new core: a driver built against the frozen 1.0 header loads") {
  const auto module = kms::hsm::test::oldLoader().load("olddriver");
  CHECK(module->model() == "olddriver");
  CHECK(module->info().abi_major == 1);
  CHECK(module->info().abi_minor == 0);
  CHECK((module->function(&kms_driver_v1::encrypt) != nullptr));
  CHECK((module->function(&kms_driver_v1::sign) == nullptr));  // NULL = not supported
  // The same file is loaded once per process.
  CHECK(kms::hsm::test::oldLoader().load("olddriver").get() == module.get());
}
