#include "kms/ops/crypto/UsableKeys.hpp"

#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::crypto {

UsableKeys::UsableKeys(keys::UnwrappedKeyCache::Limits limits) : cache_(limits) {}

std::shared_ptr<const keys::CryptoKey> UsableKeys::of(OperationContext& ctx, const objects::ManagedObject& object) {
  if (auto hit = cache_.find(object.uid, object.version)) return hit;
  std::shared_ptr<const keys::CryptoKey> key;
  if (wrapping::KeyWrapper::isServerWrapped(object) && object.object.find("KeyBlock") != nullptr) {
    objects::ManagedObject clear = object;
    clear.object = wrapping::KeyWrapper::unwrappedObject(ctx, object);
    unwraps_.fetch_add(1, std::memory_order_relaxed);
    try {
      key = objects::cryptoKey(clear);
    } catch (...) {
      clear.object.wipe();
      throw;
    }
    clear.object.wipe();
  } else {
    key = objects::cryptoKey(object);
  }
  cache_.put(object.uid, object.version, key);
  return key;
}

void UsableKeys::invalidate(const std::string& uid, std::int64_t version) {
  if (uid == "*") {
    cache_.invalidateAll();
  } else {
    cache_.invalidate(uid, version);
  }
}

KeyCacheStats UsableKeys::stats() const {
  return KeyCacheStats{cache_.stats(), unwraps_.load(std::memory_order_relaxed)};
}

}  // namespace kms::ops::crypto
