#pragma once
// The handlers' view of persistence: managed objects in and out of the ObjectStore (database
// objects; `hsm::` UIDs are served by ops/hsmkeys), tag selectors, and the access check every
// handler goes through.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/objects/ObjectCache.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::objects {

class ObjectRepository {
 public:
  // `changed` is called by forget(): for every object this node updates or removes, after the
  // store committed, and for every change another node reported; other caches (usable keys)
  // drop what they hold of it. Its version argument is forget()'s.
  using ChangeListener = std::function<void(const std::string& uid, std::int64_t version)>;
  ObjectRepository(store::ObjectStore& store, std::vector<std::string> vendorIdentifications,
                   ChangeListener changed = {});
  // Serves load() from `cache` (owned by the caller, outliving this) and keeps it told of
  // every change made through this repository.
  void setCache(ObjectCache* cache) noexcept { cache_ = cache; }
  // The object changed or went: drop what this node caches of it ("*": anything may have
  // changed). `version` is its version after the change when known (0: drop whatever is held).
  void forget(const std::string& uid, std::int64_t version = 0);

  // `uid` is a unique identifier or a tag selector `["tag1","tag2"]` (exactly one object must
  // carry all the tags). Throws kms::Exception(NotFound) when the object is missing OR the
  // user may not perform `operation` (lowercase KMIP name, e.g. "encrypt") on it: a user
  // without the right learns nothing, neither from the answer nor from its time (the rights are
  // checked before the object is read, by a read that costs the same for a missing object).
  // The owner may do everything.
  [[nodiscard]] ManagedObject load(const std::string& uid, const std::string& user, std::string_view operation);
  // load() without a copy, for handlers that only read the object (the cached object itself
  // when there is one).
  [[nodiscard]] std::shared_ptr<const ManagedObject> loadShared(const std::string& uid, const std::string& user,
                                                                std::string_view operation);
  // Inserts new objects atomically; fills their version. AlreadyExists if a uid is taken.
  void insert(const std::vector<ManagedObject*>& objects);
  // Persists a changed object; refreshes its version.
  void update(ManagedObject& object);
  void remove(const std::string& uid);
  [[nodiscard]] std::vector<std::string> locate(const store::LocateQuery& query);
  [[nodiscard]] store::ObjectStore& store() noexcept { return store_; }
  [[nodiscard]] const std::vector<std::string>& vendors() const noexcept { return vendors_; }
  // A fresh server-made unique identifier (UUID v4 text).
  static std::string newUid();

 private:
  store::ObjectStore& store_;
  std::vector<std::string> vendors_;
  ChangeListener changed_;
  ObjectCache* cache_ = nullptr;
};

}  // namespace kms::ops::objects
