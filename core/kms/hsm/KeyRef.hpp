#pragma once
// A key inside one slot of an HSM instance: by CKA_ID when id is set, else by label.
#include <cstdint>
#include <string>
#include <vector>

namespace kms::hsm {

struct KeyRef {
  std::uint64_t slot = 0;
  std::string label;
  std::vector<std::uint8_t> id;
};

}  // namespace kms::hsm
