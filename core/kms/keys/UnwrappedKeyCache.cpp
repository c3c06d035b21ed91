#include "kms/keys/UnwrappedKeyCache.hpp"

#include <algorithm>
#include <vector>

namespace kms::keys {
namespace {

// Keys are released outside the lock: freeing an RSA key wipes and frees several BIGNUMs,
// work that other requests need not wait for.
using Released = std::vector<std::shared_ptr<const CryptoKey>>;

}  // namespace

UnwrappedKeyCache::UnwrappedKeyCache(Limits limits, bool sweep, std::function<Clock::time_point()> now)
    : limits_(limits), now_(std::move(now)) {
  if (sweep && limits_.capacity > 0) sweeper_ = std::thread([this] { sweepLoop(); });
}

UnwrappedKeyCache::~UnwrappedKeyCache() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

bool UnwrappedKeyCache::expired(const Entry& entry, Clock::time_point now) const {
  return now - entry.lastUsed >= limits_.maxIdle || now - entry.created >= limits_.maxLifetime;
}

std::shared_ptr<const CryptoKey> UnwrappedKeyCache::find(const std::string& uid, std::int64_t version) {
  std::shared_ptr<const CryptoKey> dropped;
  const std::lock_guard lock(mutex_);
  const auto it = index_.find(uid);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  auto entry = it->second;
  const auto now = now_();
  if (entry->version != version || expired(*entry, now)) {
    if (entry->version != version) {
      ++invalidations_;
    } else {
      ++evictions_;
    }
    dropped = std::move(entry->key);
    lru_.erase(entry);
    index_.erase(it);
    ++misses_;
    return nullptr;
  }
  entry->lastUsed = now;
  lru_.splice(lru_.begin(), lru_, entry);
  ++hits_;
  return entry->key;
}

void UnwrappedKeyCache::put(const std::string& uid, std::int64_t version, std::shared_ptr<const CryptoKey> key) {
  if (limits_.capacity == 0) return;
  Released released;
  {
    const std::lock_guard lock(mutex_);
    const auto now = now_();
    if (const auto it = index_.find(uid); it != index_.end()) {
      // Two requests unwrapped the same key at once, or a newer version arrived: keep the newest.
      if (it->second->version > version) return;
      released.push_back(std::move(it->second->key));
      lru_.erase(it->second);
      index_.erase(it);
    }
    lru_.push_front(Entry{uid, version, std::move(key), now, now});
    index_.emplace(uid, lru_.begin());
    while (lru_.size() > limits_.capacity) {
      auto& last = lru_.back();
      released.push_back(std::move(last.key));
      index_.erase(last.uid);
      lru_.pop_back();
      ++evictions_;
    }
  }
}

void UnwrappedKeyCache::invalidate(const std::string& uid, std::int64_t version) {
  std::shared_ptr<const CryptoKey> released;
  const std::lock_guard lock(mutex_);
  const auto it = index_.find(uid);
  if (it == index_.end()) return;
  if (version != 0 && it->second->version >= version) return;  // already the changed version
  released = std::move(it->second->key);
  lru_.erase(it->second);
  index_.erase(it);
  ++invalidations_;
}

void UnwrappedKeyCache::invalidateAll() {
  Lru released;
  {
    const std::lock_guard lock(mutex_);
    invalidations_ += lru_.size();
    released.swap(lru_);
    index_.clear();
  }
}

void UnwrappedKeyCache::purgeExpired() {
  Released released;
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (expired(*it, now)) {
      released.push_back(std::move(it->key));
      index_.erase(it->uid);
      it = lru_.erase(it);
      ++evictions_;
    } else {
      ++it;
    }
  }
}

UnwrappedKeyCache::Stats UnwrappedKeyCache::stats() const {
  const std::lock_guard lock(mutex_);
  return Stats{hits_, misses_, evictions_, invalidations_, lru_.size()};
}

void UnwrappedKeyCache::sweepLoop() {
  // A quarter of the shortest limit, between 100 ms and 10 s: an expired key lingers at most
  // that long, and an idle server wakes rarely.
  auto period = std::min(limits_.maxIdle, limits_.maxLifetime) / 4;
  period = std::clamp(period, std::chrono::milliseconds(100), std::chrono::milliseconds(10000));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    purgeExpired();
    lock.lock();
  }
}

}  // namespace kms::keys
