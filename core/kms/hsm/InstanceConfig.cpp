#include "kms/hsm/InstanceConfig.hpp"

namespace kms::hsm {

namespace {

constexpr std::string_view kNoLogin = "<NO_LOGIN>";

}  // namespace

SlotConfig SlotConfig::fromPassword(std::uint64_t slotId, std::string password) {
  SlotConfig slot;
  slot.slotId = slotId;
  if (password == kNoLogin) {
    slot.login = LoginMode::None;
  } else if (password.empty()) {
    slot.login = LoginMode::NullPin;
  } else {
    slot.login = LoginMode::User;
    slot.password = std::move(password);
  }
  return slot;
}

}  // namespace kms::hsm
