// Library quirks SoftHSM2 cannot show, against tests/fixtures/mockp11 (which records its
// C_Initialize/C_Finalize/C_Login/encrypt calls to MOCKP11_RECORD). The mock keeps
// process-wide state like a real library, so the finalize test comes first in this file.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "SoftHsmTokens.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"

using namespace kms::hsm;
using namespace kms::hsm::test;

namespace {

const KeyRef kMockKey{0, "mock-aes", {}};

struct Recorder {
  std::string path =
      (std::filesystem::temp_directory_path() / ("mockp11-" + std::to_string(::getpid()) + ".log")).string();
  Recorder() {
    reset();
    ::setenv("MOCKP11_RECORD", path.c_str(), 1);
  }
  ~Recorder() {
    ::unsetenv("MOCKP11_RECORD");
    std::filesystem::remove(path);
  }
  void reset() const { std::ofstream truncate(path, std::ios::trunc); }
  [[nodiscard]] std::string text() const {
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
  }
};

InstanceConfig mockConfig(const std::string& model, const std::string& password = "1234") {
  InstanceConfig config;
  config.model = model;
  config.library = KMS_TEST_MOCKP11;
  config.slots = {SlotConfig::fromPassword(0, password)};
  return config;
}

CryptParams gcm() {
  CryptParams params;
  params.mechanism = kms::hsm::Mechanism::AesGcm;
  params.iv.assign(12, 3);
  return params;
}

bool built(const std::string& model) {
  return !pluginDir(model).empty();
}

}  // namespace

TEST_CASE("C_Finalize runs for the generic driver, never with never_finalize (proteccio)") {
  if (!built("other") || !built("proteccio")) return;
  Recorder recorder;
  {
    // An empty password: a NULL-PIN login (a PIN pad), which SoftHSM2 cannot accept.
    HsmRegistry registry{DriverLoader(pluginDir("other"))};
    registry.add(mockConfig("other", ""));
  }
  const auto generic = recorder.text();
  CHECK(generic.find("C_Initialize") != std::string::npos);
  CHECK(generic.find("C_Login null-pin") != std::string::npos);
  CHECK(generic.find("C_Finalize") != std::string::npos);

  recorder.reset();
  {
    HsmRegistry registry{DriverLoader(pluginDir("proteccio"))};
    auto& hsm = registry.add(mockConfig("proteccio"));
    CHECK(hsm.encrypt(kMockKey, gcm(), {1, 2, 3}).size() == 19);
  }
  const auto proteccio = recorder.text();
  CHECK(proteccio.find("C_Initialize") != std::string::npos);
  CHECK(proteccio.find("C_Finalize") == std::string::npos);
}

TEST_CASE("CKR_CRYPTOKI_ALREADY_INITIALIZED from C_Initialize is accepted") {
  if (!built("utimaco")) return;
  Recorder recorder;
  ::setenv("MOCKP11_ALREADY_INITIALIZED", "1", 1);
  {
    HsmRegistry registry{DriverLoader(pluginDir("utimaco"))};
    auto& hsm = registry.add(mockConfig("utimaco"));
    CHECK(hsm.available());
    CHECK(hsm.encrypt(kMockKey, gcm(), {1, 2, 3}).size() == 19);
  }
  ::unsetenv("MOCKP11_ALREADY_INITIALIZED");
  const auto text = recorder.text();
  CHECK(text.find("C_Initialize") != std::string::npos);
  // Not ours to finalize: someone else in the process initialised it.
  CHECK(text.find("C_Finalize") == std::string::npos);
}

TEST_CASE("smartcardhsm max_data_chunk: inputs above 1024 bytes go through C_*Update in chunks") {
  if (!built("smartcardhsm") || !built("other")) return;
  Recorder recorder;
  const kms::SecureBytes plain(4000, 0x61);
  {
    HsmRegistry registry{DriverLoader(pluginDir("smartcardhsm"))};
    auto& hsm = registry.add(mockConfig("smartcardhsm"));
    const auto sealed = hsm.encrypt(kMockKey, gcm(), plain);
    CHECK(sealed.size() == plain.size() + 16);
    const auto opened = hsm.decrypt(kMockKey, gcm(), sealed);
    CHECK(kms::SecureBytes(opened.begin(), opened.end()) == plain);
  }
  const auto text = recorder.text();
  CHECK(text.find("C_EncryptUpdate 1024\nC_EncryptUpdate 1024\nC_EncryptUpdate 1024\nC_EncryptUpdate 928\n") !=
        std::string::npos);
  CHECK(text.find("C_DecryptUpdate 1024") != std::string::npos);
  CHECK(text.find("C_Encrypt 4000") == std::string::npos);

  // Without the quirk, the card's refusal reaches the client as an error, not a wrong answer.
  HsmRegistry registry{DriverLoader(pluginDir("other"))};
  auto& generic = registry.add(mockConfig("other"));
  CHECK_THROWS_AS((void)generic.encrypt(kMockKey, gcm(), plain), kms::Exception);
  CHECK(generic.encrypt(kMockKey, gcm(), kms::SecureBytes(1024, 1)).size() == 1040);
}
