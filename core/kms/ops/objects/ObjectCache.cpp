#include "kms/ops/objects/ObjectCache.hpp"

#include <vector>

namespace kms::ops::objects {
namespace {

// The object's key block holds key material: wipe it when the last holder lets go.
std::shared_ptr<const ManagedObject> wiping(ManagedObject object) {
  return std::shared_ptr<const ManagedObject>(new ManagedObject(std::move(object)), [](const ManagedObject* held) {
    const_cast<ManagedObject*>(held)->object.wipe();
    delete held;
  });
}

}  // namespace

ObjectCache::ObjectCache(std::size_t capacity, std::chrono::milliseconds maxAge)
    : capacity_(capacity), maxAge_(maxAge) {}

std::shared_ptr<const ManagedObject> ObjectCache::find(const std::string& uid) {
  std::shared_ptr<const ManagedObject> stale;  // released after the lock
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(uid);
  if (it == entries_.end()) return nullptr;
  auto& [entry, position] = it->second;
  if (maxAge_.count() != 0 && Clock::now() - entry.loaded >= maxAge_) {
    stale = std::move(entry.object);
    lru_.erase(position);
    entries_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, position);
  return entry.object;
}

std::uint64_t ObjectCache::epoch() {
  const std::lock_guard lock(mutex_);
  return epoch_;
}

std::shared_ptr<const ManagedObject> ObjectCache::put(ManagedObject object, std::uint64_t epochBeforeRead) {
  auto held = wiping(std::move(object));
  if (capacity_ == 0) return held;
  std::vector<std::shared_ptr<const ManagedObject>> released;
  const std::lock_guard lock(mutex_);
  if (epochBeforeRead != epoch_) return held;
  const auto& uid = held->uid;
  if (const auto it = entries_.find(uid); it != entries_.end()) {
    released.push_back(std::move(it->second.first.object));
    lru_.erase(it->second.second);
    entries_.erase(it);
  }
  lru_.push_front(uid);
  entries_.emplace(uid, std::make_pair(Entry{held, Clock::now()}, lru_.begin()));
  while (entries_.size() > capacity_) {
    const auto last = entries_.find(lru_.back());
    released.push_back(std::move(last->second.first.object));
    entries_.erase(last);
    lru_.pop_back();
  }
  return held;
}

void ObjectCache::forget(const std::string& uid, std::int64_t version) {
  std::shared_ptr<const ManagedObject> released;
  const std::lock_guard lock(mutex_);
  ++epoch_;
  const auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  if (version != 0 && it->second.first.object->version >= version) return;
  released = std::move(it->second.first.object);
  lru_.erase(it->second.second);
  entries_.erase(it);
}

void ObjectCache::forgetAll() {
  decltype(entries_) released;
  const std::lock_guard lock(mutex_);
  ++epoch_;
  released.swap(entries_);
  lru_.clear();
}

}  // namespace kms::ops::objects
