#include "kms/ops/wrapping/Rewrapper.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/StoredObjectMapper.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::wrapping {
namespace {

std::vector<std::string> wrappedBy(OperationContext& ctx, const std::string& canonical, std::size_t limit) {
  store::LocateQuery query;
  query.wrappingKey = canonical;
  if (limit != 0) query.limit = static_cast<std::uint32_t>(limit);
  return ctx.objects.store().locate(query);
}

}  // namespace

RewrapResult Rewrapper::run(OperationContext& ctx, const std::string& from, const std::string& to, std::size_t limit) {
  const auto source = hsmkeys::HsmKeyAccess::route(ctx, from).canonical;
  const auto target = KeyWrapper::forServer(ctx, to);
  if (source == target.canonical) {
    throw Exception(ErrorCode::InvalidField, "re-wrapping needs two different keys");
  }
  RewrapResult result;
  for (const auto& uid : wrappedBy(ctx, source, limit)) {
    try {
      const auto stored = ctx.objects.store().get(uid);
      if (!stored || stored->wrappingKey != source) continue;  // changed meanwhile
      auto object = StoredObjectMapper::fromStored(*stored);
      auto clear = object;
      clear.object = KeyWrapper::unwrappedObject(ctx, object);
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
