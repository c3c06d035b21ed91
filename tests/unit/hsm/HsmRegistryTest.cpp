// Instance naming, UID routing, and the critical/non-critical start-up policy.
#include <doctest/doctest.h>

#include <string>

#include "OldDriver.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"

using kms::ErrorCode;
using kms::hsm::HsmRegistry;
using namespace kms::hsm::test;

TEST_CASE("instances are named per model in configuration order") {
  HsmRegistry registry(oldLoader());
  registry.add(oldConfig("olddriver"));
  registry.add(oldConfig("oldall"));
  registry.add(oldConfig("olddriver"));
  registry.add(oldConfig("olddriver"));
  REQUIRE(registry.instances().size() == 4);
  CHECK(registry.instances()[0]->prefix() == "hsm::olddriver");
  CHECK(registry.instances()[1]->prefix() == "hsm::oldall");
  CHECK(registry.instances()[2]->prefix() == "hsm::olddriver_1");
  CHECK(registry.instances()[3]->prefix() == "hsm::olddriver_2");
  CHECK(registry.find("olddriver_1") == registry.instances()[2].get());
  CHECK(registry.find("hsm::oldall") == registry.instances()[1].get());
  CHECK(registry.find("olddriver_3") == nullptr);
}

TEST_CASE("UIDs route to their instance; legacy UIDs to the flat-form instance") {
  HsmRegistry registry(oldLoader());
  registry.add(oldConfig("olddriver"));
  auto flat = oldConfig("olddriver");
  flat.fromFlatForm = true;
  registry.add(flat);

  CHECK_FALSE(registry.route("0a1b-uuid"));
  auto route = registry.route("hsm::olddriver::1::k_pk");
  REQUIRE(route);
  CHECK(route->instance == registry.instances()[0].get());
  CHECK(route->key().label == "k_pk");
  CHECK(route->uid.publicKey);
  route = registry.route("hsm::1::k");
  REQUIRE(route);
  CHECK(route->instance == registry.instances()[1].get());

  try {
    (void)registry.route("hsm::softhsm2::1::k");
    FAIL("routed");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(std::string(e.what()) == "hsm::softhsm2::1::k: no HSM instance named hsm::softhsm2 is configured");
  }
}

TEST_CASE("legacy UIDs: the only instance serves them; with several and no flat form, none does") {
  HsmRegistry one(oldLoader());
  one.add(oldConfig("olddriver"));
  CHECK(one.route("hsm::1::k")->instance == one.instances()[0].get());

  HsmRegistry two(oldLoader());
  two.add(oldConfig("olddriver"));
  two.add(oldConfig("oldall"));
  CHECK_THROWS_WITH_AS((void)two.route("hsm::1::k"),
                       "hsm::1::k: no HSM serves legacy UIDs (configure the flat hsm_* keys, or use "
                       "hsm::<model>::<slot>::<key>)",
                       kms::Exception);
}

TEST_CASE("a critical instance that cannot open stops the start with one line") {
  HsmRegistry registry(oldLoader());
  auto config = oldConfig("olddriver", {1}, {{"fail_open", "true"}});
  try {
    registry.add(config);
    FAIL("started");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
    const std::string message = e.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.rfind("hsm::olddriver: cannot open the olddriver driver (", 0) == 0);
    CHECK(message.find("): fail_open is set") != std::string::npos);
  }
  CHECK(registry.empty());

  config.model = "nodriver";
  CHECK_THROWS_WITH_AS(registry.add(config), doctest::Contains("no driver for HSM model 'nodriver'"), kms::Exception);
}

TEST_CASE("a non-critical instance that cannot open is kept, unavailable, and says why") {
  HsmRegistry registry(oldLoader());
  auto config = oldConfig("olddriver", {1}, {{"fail_open", "true"}});
  config.critical = false;
  auto& broken = registry.add(config);
  auto& fine = registry.add(oldConfig("olddriver"));
  CHECK_FALSE(broken.available());
  CHECK(fine.available());
  CHECK(fine.prefix() == "hsm::olddriver_1");  // the broken one keeps its place and name

  try {
    (void)broken.random(1, 4);
    FAIL("answered");
  } catch (const kms::Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
    CHECK(std::string(e.what()).rfind(
              "HSM unavailable: hsm::olddriver is unavailable (random): hsm::olddriver: cannot open", 0) == 0);
  }
  const auto status = broken.status();
  CHECK_FALSE(status.available);
  CHECK(status.reason.find("fail_open is set") != std::string::npos);
  REQUIRE(status.slots.size() == 1);
  CHECK_FALSE(status.slots[0].accessible);
  CHECK(fine.random(1, 4).size() == 4);
  CHECK(broken.callCount() == 0);
}
