#include "kms/hsm/HsmConfigBuilder.hpp"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::hsm {
namespace {

using config::ConfigError;
using config::printable;

constexpr std::array<std::string_view, 6> kModels{"softhsm2",  "utimaco",      "proteccio",
                                                  "crypt2pay", "smartcardhsm", "other"};
constexpr std::string_view kDefaultAdmin = "admin";  // Cosmian's default hsm_admin

// One password per line, in slot order; a trailing newline (and CR) is not part of a password.
// An empty line is a NULL-PIN login, as "" is in hsm_password.
std::vector<std::string> readPasswordFile(const std::string& path, const std::string& origin) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ConfigError(fmt::format("{}: cannot read the password file '{}'", origin, printable(path)));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
  }
  // "a\nb\n\n" is two passwords and a stray blank line at the end, not a third NULL PIN.
  while (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

InstanceConfig instance(const config::HsmInstanceSettings& settings, const std::string& origin, bool flat) {
  if (settings.model.empty()) throw ConfigError(fmt::format("{}: hsm_model is required", origin));
  if (!HsmConfigBuilder::knownModel(settings.model)) {
    throw ConfigError(
        fmt::format("{}: unknown hsm_model '{}' (expected softhsm2, utimaco, proteccio, crypt2pay, "
                    "smartcardhsm or other)",
                    origin, printable(settings.model)));
  }
  if (settings.slots.empty()) throw ConfigError(fmt::format("{}: hsm_slot is required (at least one slot)", origin));
  std::vector<std::string> passwords = settings.passwords;
  if (!settings.passwordFile.empty()) {
    if (!passwords.empty()) {
      throw ConfigError(fmt::format("{}: give hsm_password or hsm_password_file, not both", origin));
    }
    passwords = readPasswordFile(settings.passwordFile, origin);
  }
  if (passwords.size() != settings.slots.size()) {
    throw ConfigError(
        fmt::format("{}: {} slot(s) in hsm_slot but {} password(s){}: give one password per slot, "
                    "in the same order",
                    origin, settings.slots.size(), passwords.size(),
                    settings.passwordFile.empty() ? " in hsm_password" : " in hsm_password_file"));
  }
  InstanceConfig out;
  out.model = settings.model;
  out.library = settings.library;
  for (std::size_t i = 0; i < settings.slots.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (settings.slots[j] == settings.slots[i]) {
        throw ConfigError(fmt::format("{}: slot {} is listed twice in hsm_slot", origin, settings.slots[i]));
      }
    }
    out.slots.push_back(SlotConfig::fromPassword(settings.slots[i], std::move(passwords[i])));
  }
  out.admins = settings.admins;
  if (out.admins.empty()) out.admins.emplace_back(kDefaultAdmin);
  out.settings = settings.settings;
  out.critical = settings.critical;
  out.fromFlatForm = flat;
  return out;
}

}  // namespace

bool HsmConfigBuilder::knownModel(std::string_view model) noexcept {
  for (const auto known : kModels) {
    if (known == model) return true;
  }
  return false;
}

std::vector<InstanceConfig> HsmConfigBuilder::build(const config::Config& config) {
  std::vector<InstanceConfig> out;
  if (!config.hsm.instances.empty()) {
    for (const auto& settings : config.hsm.instances) out.push_back(instance(settings, settings.origin, false));
    return out;
  }
  const auto& flat = config.hsm.flat;
  const bool anything = !flat.model.empty() || !flat.slots.empty() || !flat.passwords.empty() ||
                        !flat.passwordFile.empty() || !flat.library.empty();
  if (!anything) return out;
  out.push_back(instance(flat, "HSM (hsm_* keys, --hsm-* flags)", true));
  return out;
}

}  // namespace kms::hsm
