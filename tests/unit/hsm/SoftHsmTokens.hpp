#pragma once
// Test support: one throw-away SoftHSM2 token directory per test process (made by
// tests/support/softhsm.py, removed at exit), and where the built plugins are.
//
// SoftHSM2 reads SOFTHSM2_CONF at C_Initialize, and every plugin in this process shares one
// loaded libsofthsm2.so, so the tokens are made once, before any plugin opens.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kms::hsm::test {

struct SoftHsmToken {
  std::string label;
  std::uint64_t slot = 0;
  std::string pin;
};

struct SoftHsmTokens {
  std::string directory;
  std::string library;
  std::vector<SoftHsmToken> tokens;
};

// Three tokens; throws std::runtime_error when softhsm2-util or the script fails.
const SoftHsmTokens& softHsm();

// The directory holding libkms_<file>.so for a model, searched under the build tree; empty
// when the plugin was not built.
std::filesystem::path pluginDir(const std::string& model);

// The six models of plugins/ and their configuration names.
const std::vector<std::string>& pluginModels();

}  // namespace kms::hsm::test
