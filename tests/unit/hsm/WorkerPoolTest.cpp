#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "kms/Exception.hpp"
#include "kms/hsm/WorkerPool.hpp"

using kms::hsm::WorkerPool;
using namespace std::chrono_literals;

TEST_CASE("results and exceptions come back from the worker") {
  WorkerPool pool("hsm::test", 2, 8);
  CHECK(pool.run([] { return 41 + 1; }, 1000ms, "add") == 42);
  CHECK_THROWS_WITH_AS(pool.run([]() -> int { throw std::runtime_error("boom"); }, 1000ms, "throw"), "boom",
                       std::runtime_error);
}

TEST_CASE("a call that does not answer in time is Unavailable, and the pool goes on") {
  WorkerPool pool("hsm::slow", 1, 8);
  try {
    pool.run(
        [] {
          std::this_thread::sleep_for(300ms);
          return 0;
        },
        50ms, "encrypt on slot 1");
    FAIL("no timeout");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    CHECK(std::string(e.what()) == "hsm::slow: HSM did not answer within 50 ms (encrypt on slot 1)");
  }
  CHECK(pool.run([] { return 7; }, 2000ms, "next") == 7);
}

TEST_CASE("a full queue is refused at once") {
  WorkerPool pool("hsm::busy", 1, 1);
  std::promise<void> release;
  auto gate = release.get_future().share();
  auto first = std::async(std::launch::async, [&] {
    return pool.run(
        [gate] {
          gate.wait();
          return 1;
        },
        5000ms, "a");
  });
  std::this_thread::sleep_for(100ms);  // the worker holds the first call
  auto second = std::async(std::launch::async, [&] { return pool.run([] { return 2; }, 5000ms, "b"); });
  std::this_thread::sleep_for(100ms);  // the second waits in the queue (capacity 1)
  try {
    pool.run([] { return 3; }, 5000ms, "c");
    FAIL("queue not bounded");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == kms::ErrorCode::Unavailable);
    CHECK(std::string(e.what()) == "hsm::busy is overloaded: 1 calls already wait for the HSM (c)");
  }
  release.set_value();
  CHECK(first.get() == 1);
  CHECK(second.get() == 2);
}

TEST_CASE("a call abandoned while queued never runs") {
  WorkerPool pool("hsm::q", 1, 4);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<bool> ran{false};
  auto blocker = std::async(std::launch::async, [&] {
    return pool.run(
        [gate] {
          gate.wait();
          return 0;
        },
        5000ms, "x");
  });
  std::this_thread::sleep_for(50ms);
  CHECK_THROWS_AS(pool.run(
                      [&] {
                        ran = true;
                        return 0;
                      },
                      20ms, "late"),
                  kms::Exception);
  release.set_value();
  blocker.get();
  CHECK(pool.run([] { return 1; }, 1000ms, "after") == 1);
  CHECK_FALSE(ran.load());
}
