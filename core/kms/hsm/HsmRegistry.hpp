#pragma once
// All HSM instances of the server, in configuration order, and the routing of hsm:: UIDs to
// them. Instances are named per model in order: the first softhsm2 is "softhsm2" (UID prefix
// hsm::softhsm2), the second "softhsm2_1", the third "softhsm2_2".
//
// Start-up policy: an instance that cannot be loaded or opened stops the server when it is
// critical (add() throws one line naming the instance, the driver and the cause); otherwise it
// is kept, unavailable, and the reason is logged and reported by its status.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/hsm/DriverInstance.hpp"
#include "kms/hsm/DriverLoader.hpp"
#include "kms/hsm/InstanceConfig.hpp"
#include "kms/hsm/UidParser.hpp"

namespace kms::hsm {

struct HsmRoute {
  DriverInstance* instance = nullptr;
  HsmUid uid;
  [[nodiscard]] KeyRef key() const { return KeyRef{uid.slot, uid.key, {}}; }
};

class HsmRegistry {
 public:
  explicit HsmRegistry(DriverLoader loader = DriverLoader());
  ~HsmRegistry();

  HsmRegistry(const HsmRegistry&) = delete;
  HsmRegistry& operator=(const HsmRegistry&) = delete;

  // Loads the driver and opens the instance; returns it (available or not).
  DriverInstance& add(const InstanceConfig& config);

  [[nodiscard]] const std::vector<std::unique_ptr<DriverInstance>>& instances() const noexcept { return instances_; }
  [[nodiscard]] bool empty() const noexcept { return instances_.empty(); }
  // By name ("softhsm2_1") or prefix ("hsm::softhsm2_1"); nullptr when unknown.
  [[nodiscard]] DriverInstance* find(std::string_view name) const noexcept;
  // The instance serving legacy hsm::<slot>::<key> UIDs: the one made from the flat form, else
  // the only instance when there is exactly one; nullptr otherwise.
  [[nodiscard]] DriverInstance* legacyInstance() const noexcept;

  // nullopt for a database UID. Throws NotFound for an hsm:: UID no instance serves, and
  // InvalidField for a malformed one.
  [[nodiscard]] std::optional<HsmRoute> route(std::string_view uid) const;

 private:
  std::string nextName(const std::string& model) const;

  DriverLoader loader_;
  std::vector<std::unique_ptr<DriverInstance>> instances_;
};

}  // namespace kms::hsm
