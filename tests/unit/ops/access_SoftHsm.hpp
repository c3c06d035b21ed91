#pragma once
// For the access_* tests: one softhsm2 instance over a real SoftHSM2 token (made by
// tests/support/softhsm.py through tests/unit/hsm/SoftHsmTokens), with its hsm_admin users.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "SoftHsmTokens.hpp"
#include "kms/hsm/HsmRegistry.hpp"

namespace kms::ops::test {

struct SoftHsmInstance {
  std::unique_ptr<hsm::HsmRegistry> registry;
  hsm::DriverInstance* instance = nullptr;
  std::uint64_t slot = 0;
};

inline SoftHsmInstance softHsmInstance(std::vector<std::string> admins) {
  const auto& tokens = hsm::test::softHsm();
  const auto& token = tokens.tokens.at(0);
  const auto dir = hsm::test::pluginDir("softhsm2");
  REQUIRE_MESSAGE(!dir.empty(), "the softhsm2 plugin is not built");
  SoftHsmInstance out;
  out.registry = std::make_unique<hsm::HsmRegistry>(hsm::DriverLoader(dir));
  hsm::InstanceConfig config;
  config.model = "softhsm2";
  config.library = tokens.library;
  config.slots = {hsm::SlotConfig::fromPassword(token.slot, token.pin)};
  config.admins = std::move(admins);
  out.instance = &out.registry->add(config);
  REQUIRE(out.instance->available());
  out.slot = token.slot;
  return out;
}

}  // namespace kms::ops::test
