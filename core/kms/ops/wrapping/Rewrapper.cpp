#include "kms/ops/wrapping/Rewrapper.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "kms/Exception.hpp"
#include "kms/ops/objects/StoredObjectMapper.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::wrapping {
namespace {

bool administers(const hsm::DriverInstance* instance, const std::string& user) {
  return instance != nullptr && hsmkeys::HsmKeyAccess::isAdmin(*instance, user);
}

// First the check that reveals nothing: an unknown instance and one the caller does not
// administer answer alike. Without HsmRegistry::route: its exception for an unknown instance
// costs measurable time. With no HSM at all, route() below answers "no HSM is configured".
void requireAdminOfBoth(const OperationContext& ctx, std::initializer_list<const std::string*> uids) {
  const hsm::HsmRegistry* hsms = ctx.settings.hsm;
  if (hsms == nullptr || hsms->empty()) return;
  for (const auto* uid : uids) {
    const auto parsed = hsm::UidParser::parse(*uid);  // malformed: InvalidField, reveals nothing
    if (!parsed) throw Exception(ErrorCode::InvalidField, "from and to must be HSM keys (hsm::...)");
    const hsm::DriverInstance* instance = parsed->legacy() ? hsms->legacyInstance() : hsms->find(parsed->instance);
    if (!administers(instance, ctx.request.user)) {
      throw Exception(ErrorCode::PermissionDenied, "re-wrapping needs an hsm_admin of the HSMs of both keys");
    }
  }
  // Then routed as every HSM key is (an admin learns of an unknown slot).
  for (const auto* uid : uids) {
    const auto key = hsmkeys::HsmKeyAccess::route(ctx, *uid);
    if (!administers(key.instance, ctx.request.user)) {
      throw Exception(ErrorCode::PermissionDenied,
                      fmt::format("re-wrapping needs an hsm_admin of {}", key.instance->prefix()));
    }
  }
}

std::vector<std::string> wrappedBy(OperationContext& ctx, const std::string& canonical, std::size_t limit) {
  store::LocateQuery query;
  query.wrappingKey = canonical;
  if (limit != 0) query.limit = static_cast<std::uint32_t>(limit);
  return ctx.objects.store().locate(query);
}

std::optional<objects::ManagedObject> current(OperationContext& ctx, const std::string& uid,
                                              const std::string& source) {
  const auto stored = ctx.objects.store().get(uid);
  if (!stored || stored->wrappingKey != source) return std::nullopt;  // changed meanwhile
  return objects::StoredObjectMapper::fromStored(*stored);
}

// The legacy AES-GCM wraps under `source`, re-wrapped under the same key (see the header).
RewrapResult migrateInPlace(OperationContext& ctx, const WrappingKey& key, std::size_t limit) {
  RewrapResult result;
  for (const auto& uid : wrappedBy(ctx, key.canonical, 0)) {
    if (limit != 0 && result.rewrapped == limit) break;
    try {
      auto object = current(ctx, uid, key.canonical);
      if (!object || !KeyWrapper::isLegacyWrapped(*object)) continue;
      auto clear = *object;
      clear.object = KeyWrapper::unwrappedObject(ctx, *object, KeyWrapper::LegacyForm::Keep);
      try {
        KeyWrapper::wrap(ctx, clear, key);
      } catch (...) {
        clear.object.wipe();
        throw;
      }
      ctx.objects.update(clear);
      ++result.rewrapped;
    } catch (const Exception& e) {
      if (e.code() == ErrorCode::Unavailable) throw;
      ++result.failed;
      if (ctx.settings.debugLog) ctx.settings.debugLog(fmt::format("re-wrap of {} failed: {}", uid, e.what()));
    }
  }
  for (const auto& uid : wrappedBy(ctx, key.canonical, 0)) {
    try {
      const auto object = current(ctx, uid, key.canonical);
      if (object && KeyWrapper::isLegacyWrapped(*object)) ++result.remaining;
    } catch (const Exception& e) {
      if (e.code() == ErrorCode::Unavailable) throw;
      ++result.remaining;  // unreadable here: not known to be migrated
    }
  }
  return result;
}

}  // namespace

RewrapResult Rewrapper::run(OperationContext& ctx, const std::string& from, const std::string& to, std::size_t limit) {
  requireAdminOfBoth(ctx, {&from, &to});
  const auto result = rewrap(ctx, from, to, limit);
  Poco::Logger::get("kms.ops").information(fmt::format("{} re-wrapped {} keys from {} to {} ({} failed, {} remaining)",
                                                       ctx.request.user, result.rewrapped, from, to, result.failed,
                                                       result.remaining));
  return result;
}

RewrapResult Rewrapper::rewrap(OperationContext& ctx, const std::string& from, const std::string& to,
                               std::size_t limit) {
  const auto source = hsmkeys::HsmKeyAccess::route(ctx, from).canonical;
  const auto target = KeyWrapper::forServer(ctx, to);
  if (source == target.canonical) return migrateInPlace(ctx, target, limit);
  RewrapResult result;
  for (const auto& uid : wrappedBy(ctx, source, limit)) {
    try {
      auto loaded = current(ctx, uid, source);
      if (!loaded) continue;
      const auto& object = *loaded;
      auto clear = object;
      clear.object = KeyWrapper::unwrappedObject(ctx, object, KeyWrapper::LegacyForm::Keep);
      try {
        KeyWrapper::wrap(ctx, clear, target);
      } catch (...) {
        clear.object.wipe();
        throw;
      }
      // `clear` now holds the object wrapped under `target`, at the version loaded.
      ctx.objects.update(clear);
      ++result.rewrapped;
    } catch (const Exception& e) {
      // An HSM that is down fails them all alike: stop and say so rather than count each.
      if (e.code() == ErrorCode::Unavailable) throw;
      ++result.failed;
      if (ctx.settings.debugLog) ctx.settings.debugLog(fmt::format("re-wrap of {} failed: {}", uid, e.what()));
    }
  }
  result.remaining = wrappedBy(ctx, source, 0).size();
  return result;
}

}  // namespace kms::ops::wrapping
