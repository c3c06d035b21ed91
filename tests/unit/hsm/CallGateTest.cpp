#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kms/driver.h"
#include "kms/hsm/CallGate.hpp"

using kms::hsm::CallGate;

namespace {

// The most calls seen at once on `slotOf(i)` while 8 threads go through the gate.
int maxOverlap(CallGate& gate, std::uint64_t (*slotOf)(int)) {
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const auto lock = gate.enter(slotOf(t));
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        --inside;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return most.load();
}

}  // namespace

TEST_CASE("SERIALIZE_ALL: one call at a time") {
  CallGate gate(KMS_THREAD_SERIALIZE_ALL);
  CHECK(maxOverlap(gate, [](int t) { return std::uint64_t(t % 4); }) == 1);
}

TEST_CASE("SERIALIZE_SLOT: one call per slot, slots in parallel") {
  CallGate gate(KMS_THREAD_SERIALIZE_SLOT);
  CHECK(maxOverlap(gate, [](int) { return std::uint64_t(7); }) == 1);
  CHECK(maxOverlap(gate, [](int t) { return std::uint64_t(t); }) > 1);
}

TEST_CASE("SAFE: no lock at all") {
  CallGate gate(KMS_THREAD_SAFE);
  CHECK_FALSE(gate.enter(1).owns_lock());
  CHECK(maxOverlap(gate, [](int) { return std::uint64_t(1); }) > 1);
}
