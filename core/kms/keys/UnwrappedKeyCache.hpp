#pragma once
// Usable keys kept in memory (DESIGN §8): bounded (least recently used evicted first), dropped
// when unused for maxIdle and maxLifetime after they entered, whatever their use. Entries are
// keyed by object UID and the object's stored version: any change of the object (revoke,
// destroy, attribute change, re-wrap) bumps the version, so a stale entry is never served even
// before the explicit invalidate() reaches this node.
//
// Keys are shared with the requests using them; the last holder frees the key, and the key
// classes wipe their material on destruction (SecretBytes, OpenSSL's clear-free of BIGNUMs).
// A sweeper thread drops idle and old entries on time, so a key does not stay in memory
// merely because no request came to evict it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "kms/keys/CryptoKey.hpp"

namespace kms::keys {

class UnwrappedKeyCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::size_t capacity = 10000;  // 0: nothing is kept
    std::chrono::milliseconds maxIdle{std::chrono::minutes(15)};
    std::chrono::milliseconds maxLifetime{std::chrono::minutes(60)};
  };

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;      // capacity, idle time, lifetime
    std::uint64_t invalidations = 0;  // entries dropped by invalidate()/invalidateAll() or a newer version
    std::size_t entries = 0;
  };

  // `sweep`: run the sweeper thread (tests drive expiry with `now` instead).
  explicit UnwrappedKeyCache(Limits limits, bool sweep = true, std::function<Clock::time_point()> now = Clock::now);
  ~UnwrappedKeyCache();
  UnwrappedKeyCache(const UnwrappedKeyCache&) = delete;
  UnwrappedKeyCache& operator=(const UnwrappedKeyCache&) = delete;

  // The key of `uid` at `version`, or nullptr (a miss). An entry of another version is dropped.
  [[nodiscard]] std::shared_ptr<const CryptoKey> find(const std::string& uid, std::int64_t version);
  void put(const std::string& uid, std::int64_t version, std::shared_ptr<const CryptoKey> key);
  // Drops the entry of `uid` older than `version` (any entry when `version` is 0).
  void invalidate(const std::string& uid, std::int64_t version = 0);
  void invalidateAll();
  // Drops what is idle or too old now; the sweeper calls it periodically.
  void purgeExpired();
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

 private:
  struct Entry {
    std::string uid;
    std::int64_t version = 0;
    std::shared_ptr<const CryptoKey> key;
    Clock::time_point created;
    Clock::time_point lastUsed;
  };
  using Lru = std::list<Entry>;  // front: most recently used

  bool expired(const Entry& entry, Clock::time_point now) const;
  void sweepLoop();

  const Limits limits_;
  const std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t invalidations_ = 0;

  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace kms::keys
