#pragma once
// The usable key of a managed object, for Encrypt, Decrypt, Sign and SignatureVerify: from the
// in-memory cache, else decoded from its key block, unwrapped in the HSM first when the server
// stored it wrapped (DESIGN §8). A cache hit makes no HSM call and decodes nothing.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/UnwrappedKeyCache.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops {
struct OperationContext;
}  // namespace kms::ops

namespace kms::ops::crypto {

struct KeyCacheStats {
  keys::UnwrappedKeyCache::Stats cache;
  std::uint64_t unwraps = 0;  // HSM unwraps made to fill the cache
};

class UsableKeys {
 public:
  explicit UsableKeys(keys::UnwrappedKeyCache::Limits limits);

  [[nodiscard]] std::shared_ptr<const keys::CryptoKey> of(OperationContext& ctx, const objects::ManagedObject& object);
  // The object changed or went, here or on another node; "*": anything may have changed.
  // `version`: the object's version after the change (0: unknown, or removed).
  void invalidate(const std::string& uid, std::int64_t version = 0);
  [[nodiscard]] KeyCacheStats stats() const;

 private:
  keys::UnwrappedKeyCache cache_;
  std::atomic<std::uint64_t> unwraps_{0};
};

}  // namespace kms::ops::crypto
