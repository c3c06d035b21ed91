#pragma once
// Test support for the frozen-ABI fixture drivers (tests/fixtures/olddriver): olddriver
// (thread-safe), oldslot (serialize per slot), oldall (serialize all). Their PIN is "1234".
#include <string>
#include <utility>
#include <vector>

#include "kms/hsm/DriverLoader.hpp"
#include "kms/hsm/InstanceConfig.hpp"

namespace kms::hsm::test {

inline DriverLoader oldLoader() {
  return DriverLoader(KMS_TEST_OLD_PLUGINS_DIR);
}

inline InstanceConfig oldConfig(const std::string& model = "olddriver", std::vector<std::uint64_t> slots = {1},
                                std::vector<std::pair<std::string, std::string>> settings = {}) {
  InstanceConfig config;
  config.model = model;
  for (const auto slot : slots) config.slots.push_back(SlotConfig::fromPassword(slot, "1234"));
  config.settings = std::move(settings);
  return config;
}

}  // namespace kms::hsm::test
