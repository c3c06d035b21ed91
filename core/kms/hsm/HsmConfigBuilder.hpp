#pragma once
// Config -> the HSM instances to open, in configuration order: the [[hsm_instances]] tables
// when there are any (they take precedence), else the flat hsm_* keys/flags as one instance
// serving the legacy hsm::<slot>::<key> UIDs, else none.
//
// Checks what can be checked without loading a driver: a known model, at least one slot, as
// many passwords as slots (from hsm_password or hsm_password_file), at least one admin.
// Errors are ConfigError, one line naming the key; PINs never appear in them.
#include <vector>

#include "kms/config/Config.hpp"
#include "kms/hsm/InstanceConfig.hpp"

namespace kms::hsm {

class HsmConfigBuilder {
 public:
  // Reads password files. Throws ConfigError.
  [[nodiscard]] static std::vector<InstanceConfig> build(const config::Config& config);
  [[nodiscard]] static bool knownModel(std::string_view model) noexcept;
};

}  // namespace kms::hsm
