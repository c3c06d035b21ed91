// The six model plugins, each pointed at SoftHSM2's library: load, ABI check, open, and real
// key work on a real token. A plugin that is not built is reported, not silently passed.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <unistd.h>

#include "SoftHsmTokens.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"

using kms::hsm::CryptParams;
using kms::hsm::DriverLoader;
using kms::hsm::ExportFormat;
using kms::hsm::HsmRegistry;
using kms::hsm::InstanceConfig;
using kms::hsm::KeyRef;
using kms::hsm::SlotConfig;
using namespace kms::hsm::test;

namespace {

InstanceConfig softHsmConfig(const std::string& model, std::vector<SlotConfig> slots) {
  InstanceConfig config;
  config.model = model;
  config.library = softHsm().library;
  config.slots = std::move(slots);
  return config;
}

}  // namespace

TEST_CASE("each model plugin loads, opens SoftHSM2 and serves keys") {
  const auto& tokens = softHsm();
  const auto& token = tokens.tokens.at(0);
  for (const auto& model : pluginModels()) {
    CAPTURE(model);
    const auto dir = pluginDir(model);
    if (dir.empty()) {
      FAIL_CHECK(fmt::format("plugin {} not built under {}", DriverLoader::fileNameFor(model), KMS_TEST_BUILD_DIR));
      continue;
    }
    HsmRegistry registry{DriverLoader(dir)};
    auto& hsm = registry.add(softHsmConfig(model, {SlotConfig::fromPassword(token.slot, token.pin)}));
    REQUIRE(hsm.available());
    CHECK(hsm.prefix() == "hsm::" + model);

    const auto status = hsm.slotStatus(token.slot);
    CHECK(status.accessible);
    CHECK(status.tokenLabel == token.label);

    const std::string label = fmt::format("plugins-{}-{}", model, ::getpid());
    hsm.generateAes(token.slot, label, 256, kms::hsm::KeyProtection{.sensitive = true});
    CryptParams gcm;
    gcm.mechanism = kms::hsm::Mechanism::AesGcm;
    gcm.iv.assign(12, 7);
    gcm.aad = {1, 2, 3};
    const kms::SecureBytes plain(100, 0x33);
    const auto sealed = hsm.encrypt(KeyRef{token.slot, label, {}}, gcm, plain);
    CHECK(sealed.size() == plain.size() + 16);
    const auto opened = hsm.decrypt(KeyRef{token.slot, label, {}}, gcm, sealed);
    CHECK(kms::SecureBytes(opened.begin(), opened.end()) == plain);
    CHECK_THROWS_AS((void)hsm.exportKey(KeyRef{token.slot, label, {}}, ExportFormat::Raw), kms::Exception);

    hsm.generateRsa(token.slot, label + "-rsa", 2048, kms::hsm::KeyProtection{.sensitive = true});
    CryptParams pkcs1;
    pkcs1.mechanism = kms::hsm::Mechanism::RsaPkcs1Sign;
    pkcs1.hash = kms::keys::Hash::Sha256;
    CHECK(hsm.sign(KeyRef{token.slot, label + "-rsa", {}}, pkcs1, {1, 2, 3}).size() == 256);
    CHECK(hsm.exportKey(KeyRef{token.slot, label + "-rsa_pk", {}}, ExportFormat::Spki).size() > 256);
    CHECK(hsm.random(token.slot, 32).size() == 32);

    hsm.destroy(KeyRef{token.slot, label, {}});
    hsm.destroy(KeyRef{token.slot, label + "-rsa", {}});
    hsm.destroy(KeyRef{token.slot, label + "-rsa_pk", {}});
    CHECK_THROWS_AS((void)hsm.find(KeyRef{token.slot, label, {}}), kms::Exception);
  }
}

TEST_CASE("several slots: a PIN slot and a <NO_LOGIN> slot in one instance") {
  const auto& tokens = softHsm();
  const auto dir = pluginDir("softhsm2");
  if (dir.empty()) return;
  HsmRegistry registry{DriverLoader(dir)};
  auto& hsm =
      registry.add(softHsmConfig("softhsm2", {SlotConfig::fromPassword(tokens.tokens[0].slot, tokens.tokens[0].pin),
                                              SlotConfig::fromPassword(tokens.tokens[1].slot, "<NO_LOGIN>")}));
  for (const auto& token : {tokens.tokens[0], tokens.tokens[1]}) {
    CAPTURE(token.slot);
    const auto status = hsm.slotStatus(token.slot);
    CHECK(status.accessible);
    CHECK(status.tokenLabel == token.label);
    CHECK(hsm.random(token.slot, 16).size() == 16);
  }
  // Private objects of the logged-in slot stay invisible from the slot without login.
  const std::string label = fmt::format("nologin-{}", ::getpid());
  hsm.generateAes(tokens.tokens[0].slot, label, 128, kms::hsm::KeyProtection{.sensitive = true});
  CHECK_THROWS_AS((void)hsm.find(KeyRef{tokens.tokens[1].slot, label, {}}), kms::Exception);
  hsm.destroy(KeyRef{tokens.tokens[0].slot, label, {}});
}

TEST_CASE("an empty password logs in with a NULL PIN; SoftHSM2 refuses it, and the message says so") {
  const auto& tokens = softHsm();
  const auto dir = pluginDir("softhsm2");
  if (dir.empty()) return;
  // A fresh token directory-wide login state: token 2 was never logged in by this process.
  HsmRegistry registry{DriverLoader(dir)};
  try {
    registry.add(softHsmConfig("softhsm2", {SlotConfig::fromPassword(tokens.tokens[2].slot, "")}));
    FAIL("a NULL PIN opened SoftHSM2");
  } catch (const kms::Exception& e) {
    const std::string message = e.what();
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    CHECK(message.find("NULL PIN") != std::string::npos);
    CHECK(message.find(fmt::format("slot {}", tokens.tokens[2].slot)) != std::string::npos);
  }
}

TEST_CASE("a wrong PIN stops a critical instance with a line that never shows the PIN") {
  const auto& tokens = softHsm();
  const auto dir = pluginDir("softhsm2");
  if (dir.empty()) return;
  HsmRegistry registry{DriverLoader(dir)};
  try {
    registry.add(softHsmConfig("softhsm2", {SlotConfig::fromPassword(tokens.tokens[2].slot, "wrong-pin-9876")}));
    FAIL("opened");
  } catch (const kms::Exception& e) {
    const std::string message = e.what();
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    CHECK(message.find("wrong-pin-9876") == std::string::npos);
    CHECK(message.find("CKR_PIN_INCORRECT") != std::string::npos);
  }
}
