#pragma once
// What the host needs to open one HSM instance. Filled from the configuration (the flat
// hsm_* keys or one [[hsm_instances]] table) by the config layer; kept free of config types so
// that core/kms/hsm depends on nothing above it.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::hsm {

enum class LoginMode { User, NullPin, None };

struct SlotConfig {
  std::uint64_t slotId = 0;
  LoginMode login = LoginMode::User;
  std::string password;  // secret: User mode only; never logged, wiped by ~InstanceConfig users

  // The configuration's spelling: "<NO_LOGIN>" = no login, "" = login with a NULL PIN.
  [[nodiscard]] static SlotConfig fromPassword(std::uint64_t slotId, std::string password);
};

struct InstanceConfig {
  std::string model;    // "softhsm2", ..., "other"
  std::string library;  // empty: the driver's default (or <MODEL>_PKCS11_LIB)
  std::vector<SlotConfig> slots;
  std::vector<std::pair<std::string, std::string>> settings;  // driver quirk settings
  std::vector<std::string> admins;                            // hsm_admin: who may create keys on this HSM
  // A critical instance that cannot open stops kmsd at start; a non-critical one is kept
  // unavailable (its calls answer Unavailable, its status says why).
  bool critical = true;
  bool fromFlatForm = false;        // made from the flat hsm_* keys: serves legacy hsm::<slot>::<key>
  unsigned threads = 4;             // calls at once in the HSM: worker threads, and inline call slots
  std::size_t queueCapacity = 256;  // calls waiting for a worker before Unavailable
  // Driver calls run on the caller's thread (InlineCalls) rather than on a worker: the hand-off
  // cost more CPU than the HSM call. The pool still serves slot probes and calls made while
  // the HSM looks hung. No configuration key: false is for tests of the pool path.
  bool inlineCalls = true;
  std::chrono::milliseconds callTimeout{10000};
  std::chrono::milliseconds statusTimeout{2000};  // slot probes: a status page must stay fast
};

}  // namespace kms::hsm
