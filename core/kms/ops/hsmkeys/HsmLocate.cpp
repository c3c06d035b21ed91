// Locate over HSM keys: every slot of every available instance is listed (the driver caches
// handles; a listing is one FindObjects walk), and a key is seen by its instance's admins and by
// users holding any grant on it. A slot that cannot be listed (token absent) is skipped: Locate
// answers what it can see.
#include "kms/kmip/Enums.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::hsmkeys {
namespace {

bool matches(const hsm::KeyInfo& info, const LocateFilter& filter) {
  if (filter.name && *filter.name != info.label) return false;
  if (filter.objectType && *filter.objectType != static_cast<std::uint32_t>(HsmKeyAttributes::objectType(info))) {
    return false;
  }
  if (filter.algorithm && *filter.algorithm != static_cast<std::uint32_t>(HsmKeyAttributes::algorithm(info))) {
    return false;
  }
  return !filter.length || *filter.length == static_cast<std::int32_t>(info.bits);
}

}  // namespace

std::vector<std::string> locate(OperationContext& ctx, const LocateFilter& filter) {
  std::vector<std::string> uids;
  if (ctx.settings.hsm == nullptr) return uids;
  // The caller's grants in one read: a per-key read for the keys that match would make the
  // answer's time tell how many keys (of other users) match the filter.
  const auto granted = ctx.objects.store().hsmKeysGrantedTo(ctx.request.user);
  for (const auto& instance : ctx.settings.hsm->instances()) {
    if (!instance->available()) continue;
    const bool admin = HsmKeyAccess::isAdmin(*instance, ctx.request.user);
    for (const auto slot : instance->slots()) {
      std::vector<hsm::KeyInfo> keys;
      try {
        keys = instance->list(slot);
      } catch (const Exception& e) {
        Poco::Logger::get("kms.hsm").warning(
            fmt::format("Locate skips {} slot {}: {}", instance->prefix(), slot, e.what()));
        continue;
      }
      for (const auto& info : keys) {
        if (info.label.empty() || !matches(info, filter)) continue;
        std::string uid = hsm::UidParser::format(instance->name(), slot, info.label);
        if (!admin && !granted.contains(uid)) continue;
        uids.push_back(std::move(uid));
      }
    }
  }
  return uids;
}

}  // namespace kms::ops::hsmkeys
