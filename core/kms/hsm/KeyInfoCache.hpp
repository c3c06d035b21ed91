#pragma once
// What the HSM said about its keys, for a few seconds. Every request on an hsm:: key, and every
// unwrap, first asks what the key is (type, size, flags: find_key, a PKCS#11 search and an
// attribute read) and then uses it: without this cache that is two HSM round trips per
// request where one suffices (docs/benchmarks.md, scenario 3). Only found keys are kept, for
// `maxAge` at most; a destroy through kmsd empties the cache, and a key destroyed behind
// kmsd's back fails at its next use in the HSM anyway.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyRef.hpp"

namespace kms::hsm {

class KeyInfoCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit KeyInfoCache(std::chrono::milliseconds maxAge, std::size_t capacity = 4096)
      : maxAge_(maxAge), capacity_(capacity) {}

  [[nodiscard]] std::optional<KeyInfo> find(const KeyRef& key);
  void put(const KeyRef& key, const KeyInfo& info);
  void clear();

 private:
  static std::string keyOf(const KeyRef& key);

  struct Entry {
    KeyInfo info;
    Clock::time_point stored;
  };

  const std::chrono::milliseconds maxAge_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace kms::hsm
