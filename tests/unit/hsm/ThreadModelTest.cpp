// The host enforces the thread model a driver declares. The fixture drivers count the calls in
// flight and report forbidden overlaps ("v=") and the most calls seen at once ("m=") in their
// token label.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "OldDriver.hpp"
#include "kms/hsm/DriverInstance.hpp"

using kms::hsm::DriverInstance;
using namespace kms::hsm::test;

namespace {

struct Observed {
  int most = 0;
  int violations = 0;
};

Observed hammer(const std::string& model, std::vector<std::uint64_t> slots) {
  auto config = oldConfig(model, slots, {{"delay_ms", "2"}});
  config.threads = 4;
  auto hsm = DriverInstance::open(model, oldLoader().load(model), config);
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) (void)hsm->random(slots[static_cast<std::size_t>(t) % slots.size()], 8);
    });
  }
  for (auto& caller : callers) caller.join();
  const auto label = hsm->slotStatus(slots.front()).tokenLabel;  // "m=<n> v=<n> l=<n>"
  Observed observed;
  REQUIRE(std::sscanf(label.c_str(), "m=%d v=%d", &observed.most, &observed.violations) == 2);
  return observed;
}

}  // namespace

TEST_CASE("KMS_THREAD_SAFE: calls run in parallel on the pool") {
  const auto observed = hammer("olddriver", {1});
  CHECK(observed.violations == 0);
  CHECK(observed.most > 1);
}

TEST_CASE("KMS_THREAD_SERIALIZE_SLOT: one call per slot, two slots in parallel") {
  const auto observed = hammer("oldslot", {1, 2});
  CHECK(observed.violations == 0);
  CHECK(observed.most == 2);
}

TEST_CASE("KMS_THREAD_SERIALIZE_ALL: one call at a time for the instance") {
  const auto observed = hammer("oldall", {1, 2});
  CHECK(observed.violations == 0);
  CHECK(observed.most == 1);
}
