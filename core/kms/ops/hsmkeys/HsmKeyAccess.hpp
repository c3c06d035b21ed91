#pragma once
// Routing and authorisation of hsm:: UIDs (DESIGN sections 4 and 7): the instance's hsm_admin
// users may do everything with its keys; anyone else needs a grant on the key's canonical UID
// (hsm::<instance>::<slot>::<key>, whatever form the request used). A user without the right,
// an unknown instance and a missing key all get the same NotFound answer as a missing object
// (kms::ops::notFound).
#include <string>
#include <string_view>

#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/hsmkeys/HsmKey.hpp"

namespace kms::ops::hsmkeys {

class HsmKeyAccess {
 public:
  // The registry, or FeatureNotSupported when kmsd runs without any HSM.
  [[nodiscard]] static hsm::HsmRegistry& registry(const OperationContext& ctx);
  [[nodiscard]] static bool isAdmin(const hsm::DriverInstance& instance, const std::string& user);
  // The instance and UID parts of `uid` (no access check, no HSM call); NotFound when no
  // instance serves it, InvalidField when malformed.
  [[nodiscard]] static HsmKey route(const OperationContext& ctx, const std::string& uid);
  // NotFound unless the caller is the instance's admin or holds `operation` (a right name) on
  // the key. Checked before any HSM call: a refused caller costs the HSM nothing.
  static void authorize(OperationContext& ctx, const HsmKey& key, std::string_view operation);
  // Fills key.info from the HSM (cached a few seconds); NotFound when the key is missing.
  static void describe(HsmKey& key);
  // route + authorize + describe.
  [[nodiscard]] static HsmKey open(OperationContext& ctx, const std::string& uid, std::string_view operation);
};

}  // namespace kms::ops::hsmkeys
