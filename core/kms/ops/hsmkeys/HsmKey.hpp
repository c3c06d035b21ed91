#pragma once
// An HSM key a request acts on, once routed and authorised: its instance, its UID parts and what
// the driver says about it.
#include <string>

#include "kms/hsm/DriverInstance.hpp"
#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyRef.hpp"
#include "kms/hsm/UidParser.hpp"

namespace kms::ops::hsmkeys {

struct HsmKey {
  hsm::DriverInstance* instance = nullptr;
  hsm::HsmUid uid;
  std::string given;      // the UID as the request spelled it (legacy form included)
  std::string canonical;  // hsm::<instance>::<slot>::<key>: grants are keyed by it
  hsm::KeyInfo info;

  [[nodiscard]] hsm::KeyRef ref() const { return hsm::KeyRef{uid.slot, uid.key, {}}; }
};

}  // namespace kms::ops::hsmkeys
