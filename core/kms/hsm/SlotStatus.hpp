#pragma once
// A live slot probe and an instance's state, for the status endpoint.
#include <cstdint>
#include <string>
#include <vector>

namespace kms::hsm {

struct SlotStatus {
  std::uint64_t slot = 0;
  bool accessible = false;
  std::string tokenLabel;
  std::string reason;  // why not accessible; empty when accessible
};

struct InstanceStatus {
  std::string prefix;  // "hsm::softhsm2_1"
  std::string model;
  bool available = false;
  std::string reason;  // why unavailable
  std::uint64_t calls = 0;
  std::vector<SlotStatus> slots;
};

}  // namespace kms::hsm
