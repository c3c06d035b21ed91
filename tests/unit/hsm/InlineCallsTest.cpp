// InlineCalls alone: the slot bound, the wait for a slot, overdue detection and drain.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kms/Exception.hpp"
#include "kms/hsm/InlineCalls.hpp"

using kms::hsm::InlineCalls;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("slots are taken and given back") {
  InlineCalls calls("hsm::test", 2, 10s);
  CHECK(calls.capacity() == 2);
  CHECK(calls.running() == 0);
  {
    auto a = calls.enter("encrypt", 1);
    REQUIRE(a.has_value());
    auto b = calls.enter("encrypt", 1);
    REQUIRE(b.has_value());
    CHECK(calls.running() == 2);
    CHECK_FALSE(calls.overdue());
    auto moved = std::move(*a);  // a moved-from call gives nothing back
    a.reset();
    CHECK(calls.running() == 2);
  }
  CHECK(calls.running() == 0);
  CHECK(calls.enter("encrypt", 1).has_value());
}

TEST_CASE("zero slots count as one") {
  InlineCalls calls("hsm::test", 0, 10s);
  CHECK(calls.capacity() == 1);
}

TEST_CASE("a caller waits for a busy slot and gets it when it is freed") {
  InlineCalls calls("hsm::test", 1, 5s);
  std::optional<InlineCalls::Call> held = calls.enter("encrypt", 1);
  REQUIRE(held.has_value());
  auto waiter = std::async(std::launch::async, [&] {
    const auto start = Clock::now();
    const auto call = calls.enter("decrypt", 2);
    CHECK(call.has_value());
    return Clock::now() - start;
  });
  std::this_thread::sleep_for(100ms);
  held.reset();
  const auto waited = waiter.get();
  CHECK(waited >= 90ms);
  CHECK(waited < 4s);  // woken by the release, not by its deadline
  CHECK(calls.running() == 0);
}

TEST_CASE("a slot that stays busy for the timeout is Unavailable, naming the instance and the call") {
  InlineCalls calls("hsm::softhsm2_1", 1, 100ms);
  auto held = calls.enter("encrypt", 1);
  REQUIRE(held.has_value());
  const auto start = Clock::now();
  try {
    (void)calls.enter("decrypt", 3);
    FAIL("no timeout");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    // After the wait the held call is overdue too; the slot wait still answers as such.
    CHECK(std::string(e.what()) == "hsm::softhsm2_1: all 1 HSM call slots stayed busy for 100 ms (decrypt on slot 3)");
  }
  CHECK(Clock::now() - start >= 100ms);
  CHECK(calls.running() == 1);
}

TEST_CASE("a call running longer than the timeout is overdue: callers are sent to the pool until it ends") {
  InlineCalls calls("hsm::test", 4, 20ms);
  auto slow = calls.enter("encrypt", 1);
  REQUIRE(slow.has_value());
  CHECK_FALSE(calls.overdue());  // generous: the enter above is a few microseconds old
  std::this_thread::sleep_for(60ms);
  CHECK(calls.overdue());
  CHECK_FALSE(calls.enter("encrypt", 1).has_value());  // free slots, but the HSM looks hung
  CHECK(calls.running() == 1);
  slow.reset();
  CHECK_FALSE(calls.overdue());
  CHECK(calls.enter("encrypt", 1).has_value());
}

TEST_CASE("never more calls at once than slots, under contention") {
  InlineCalls calls("hsm::test", 3, 10s);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const auto call = calls.enter("random", 1);
        CHECK(call.has_value());
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(200us);
        --inside;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(most.load() >= 1);
  CHECK(most.load() <= 3);
  CHECK(calls.running() == 0);
}

TEST_CASE("drain waits for the calls in flight") {
  InlineCalls calls("hsm::test", 2, 10s);
  std::atomic<bool> released{false};
  auto holder = std::async(std::launch::async, [&] {
    const auto call = calls.enter("encrypt", 1);
    std::this_thread::sleep_for(150ms);
    released = true;
  });
  while (calls.running() == 0) std::this_thread::sleep_for(1ms);
  calls.drain();
  CHECK(released.load());
  holder.get();
}
