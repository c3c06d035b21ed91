#include <atomic>
#include <thread>
#include <vector>

#include "TestSupport.hpp"
#include "kms/keys/SymmetricKey.hpp"
#include "kms/keys/UnwrappedKeyCache.hpp"

using namespace kms::keys;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand: expiry is checked without sleeping.
struct ManualClock {
  UnwrappedKeyCache::Clock::time_point now{};
  std::function<UnwrappedKeyCache::Clock::time_point()> fn() {
    return [this] { return now; };
  }
};

std::shared_ptr<const CryptoKey> aesKey(std::uint8_t seed) {
  SecretBytes bytes(32);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(seed + i);
  return std::make_shared<SymmetricKey>(std::move(bytes));
}

UnwrappedKeyCache::Limits limits(std::size_t capacity, std::chrono::milliseconds idle = 10min,
                                 std::chrono::milliseconds lifetime = 60min) {
  return UnwrappedKeyCache::Limits{capacity, idle, lifetime};
}

}  // namespace

TEST_CASE("a cached key is served for its version only") {
  ManualClock clock;
  UnwrappedKeyCache cache(limits(10), false, clock.fn());
  const auto key = aesKey(1);
  CHECK(cache.find("a", 1) == nullptr);
  cache.put("a", 1, key);
  CHECK(cache.find("a", 1) == key);
  CHECK(cache.find("a", 1) == key);
  // The object changed (revoked, re-wrapped...): the old entry is never served again.
  CHECK(cache.find("a", 2) == nullptr);
  CHECK(cache.find("a", 1) == nullptr);
  const auto stats = cache.stats();
  CHECK(stats.hits == 2);
  CHECK(stats.misses == 3);
  CHECK(stats.invalidations == 1);
  CHECK(stats.entries == 0);
}

TEST_CASE("an older version never replaces a newer one") {
  UnwrappedKeyCache cache(limits(10), false);
  const auto newer = aesKey(2);
  cache.put("a", 5, newer);
  cache.put("a", 4, aesKey(1));  // a slow request that loaded the object before a change
  CHECK(cache.find("a", 5) == newer);
}

TEST_CASE("the least recently used key goes first when the cache is full") {
  UnwrappedKeyCache cache(limits(2), false);
  cache.put("a", 1, aesKey(1));
  cache.put("b", 1, aesKey(2));
  CHECK(cache.find("a", 1) != nullptr);  // a is now the most recent
  cache.put("c", 1, aesKey(3));          // evicts b
  CHECK(cache.find("b", 1) == nullptr);
  CHECK(cache.find("a", 1) != nullptr);
  CHECK(cache.find("c", 1) != nullptr);
  CHECK(cache.stats().evictions == 1);
  CHECK(cache.stats().entries == 2);
}

TEST_CASE("idle time and lifetime limits") {
  ManualClock clock;
  UnwrappedKeyCache cache(limits(10, 2s, 5s), false, clock.fn());
  cache.put("a", 1, aesKey(1));
  SUBCASE("unused for the idle time: gone") {
    clock.now += 2s;
    CHECK(cache.find("a", 1) == nullptr);
    CHECK(cache.stats().evictions == 1);
  }
  SUBCASE("used often, still gone after its lifetime") {
    for (int i = 0; i < 4; ++i) {
      clock.now += 1s;
      CHECK(cache.find("a", 1) != nullptr);
    }
    clock.now += 1s;  // 5 s since the unwrap
    CHECK(cache.find("a", 1) == nullptr);
  }
  SUBCASE("purgeExpired drops keys nobody asks for again") {
    cache.put("b", 1, aesKey(2));
    clock.now += 1s;
    CHECK(cache.find("b", 1) != nullptr);
    clock.now += 1500ms;  // a idle 2.5 s, b idle 1.5 s
    cache.purgeExpired();
    CHECK(cache.stats().entries == 1);
    CHECK(cache.find("b", 1) != nullptr);
  }
}

TEST_CASE("invalidation drops one key or all of them") {
  UnwrappedKeyCache cache(limits(10), false);
  cache.put("a", 1, aesKey(1));
  cache.put("b", 1, aesKey(2));
  cache.invalidate("a");
  cache.invalidate("missing");
  CHECK(cache.find("a", 1) == nullptr);
  CHECK(cache.find("b", 1) != nullptr);
  cache.invalidateAll();
  CHECK(cache.find("b", 1) == nullptr);
  CHECK(cache.stats().invalidations == 2);
}

TEST_CASE("a key in use outlives its eviction, then is freed") {
  UnwrappedKeyCache cache(limits(1), false);
  auto key = aesKey(1);
  std::weak_ptr<const CryptoKey> watch = key;
  cache.put("a", 1, std::move(key));
  auto held = cache.find("a", 1);
  cache.put("b", 1, aesKey(2));  // evicts a while a request still holds it
  CHECK_FALSE(watch.expired());
  held.reset();
  CHECK(watch.expired());
}

TEST_CASE("capacity 0 keeps nothing") {
  UnwrappedKeyCache cache(limits(0), true);
  cache.put("a", 1, aesKey(1));
  CHECK(cache.find("a", 1) == nullptr);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("the sweeper drops idle keys on its own") {
  UnwrappedKeyCache cache(limits(10, 1s, 10s), true);
  cache.put("a", 1, aesKey(1));
  // The sweeper runs every 250 ms here (a quarter of the idle limit).
  for (int i = 0; i < 40 && cache.stats().entries != 0; ++i) std::this_thread::sleep_for(100ms);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("concurrent use from many threads") {
  UnwrappedKeyCache cache(limits(8), true);
  std::atomic<int> served{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto uid = std::to_string((i + t) % 16);
        if (auto key = cache.find(uid, 1)) {
          ++served;
        } else {
          cache.put(uid, 1, aesKey(static_cast<std::uint8_t>(i)));
        }
        if (i % 500 == 0) cache.invalidate(uid);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto stats = cache.stats();
  CHECK(stats.hits == static_cast<std::uint64_t>(served.load()));
  CHECK(stats.hits + stats.misses == 8000);
  CHECK(stats.entries <= 8);
}
