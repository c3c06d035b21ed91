#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"

#include <algorithm>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/ops/NotFound.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::hsmkeys {

hsm::HsmRegistry& HsmKeyAccess::registry(const OperationContext& ctx) {
  if (ctx.settings.hsm == nullptr || ctx.settings.hsm->empty()) {
    throw Exception(ErrorCode::FeatureNotSupported, "no HSM is configured: hsm:: identifiers cannot be served");
  }
  return *ctx.settings.hsm;
}

bool HsmKeyAccess::isAdmin(const hsm::DriverInstance& instance, const std::string& user) {
  const auto& admins = instance.admins();
  return std::find(admins.begin(), admins.end(), user) != admins.end();
}

namespace {

// An unknown instance or slot answers as a key the caller may not use, and after the same work:
// the rights read authorize() does for a non-admin, so that the time does not tell which
// instances and slots exist either.
Exception unknown(const OperationContext& ctx, const std::string& uid) {
  (void)ctx.objects.store().operationsFor(uid, ctx.request.user);
  return notFound(uid);
}

}  // namespace

HsmKey HsmKeyAccess::route(const OperationContext& ctx, const std::string& uid) {
  auto& hsms = registry(ctx);
  std::optional<hsm::HsmRoute> route;
  try {
    route = hsms.route(uid);
  } catch (const Exception& e) {
    // An unknown instance reads as a missing object; a malformed UID says what is wrong.
    if (e.code() == ErrorCode::NotFound) throw unknown(ctx, uid);
    throw;
  }
  if (!route) throw unknown(ctx, uid);  // not an hsm:: UID at all
  HsmKey key;
  key.instance = route->instance;
  key.uid = std::move(route->uid);
  key.given = uid;
  key.canonical = hsm::UidParser::format(key.instance->name(), key.uid.slot, key.uid.key);
  const auto slots = key.instance->slots();
  if (std::find(slots.begin(), slots.end(), key.uid.slot) == slots.end()) throw unknown(ctx, uid);
  return key;
}

void HsmKeyAccess::authorize(OperationContext& ctx, const HsmKey& key, std::string_view operation) {
  if (!isAdmin(*key.instance, ctx.request.user) &&
      !auth::AccessPolicy::allows(ctx.objects.store().operationsFor(key.canonical, ctx.request.user), operation)) {
    throw notFound(key.given);
  }
}

void HsmKeyAccess::describe(HsmKey& key) {
  try {
    key.info = key.instance->describe(key.ref());
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::NotFound) throw notFound(key.given);
    throw;
  }
}

HsmKey HsmKeyAccess::open(OperationContext& ctx, const std::string& uid, std::string_view operation) {
  HsmKey key = route(ctx, uid);
  authorize(ctx, key, operation);
  describe(key);
  return key;
}

}  // namespace kms::ops::hsmkeys
