#include <doctest/doctest.h>

#include <array>

#include "kms/Exception.hpp"
#include "kms/store/Migration.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::latestVersion;
using kms::store::Migration;
using kms::store::pendingMigrations;

TEST_CASE("pendingMigrations returns what is newer than the database, in order") {
  constexpr std::array list{Migration{1, "one", "A"}, Migration{2, "two", "B"}, Migration{5, "five", "C"}};
  CHECK(latestVersion(list) == 5);
  auto pending = pendingMigrations(list, 0, "Test");
  REQUIRE(pending.size() == 3);
  CHECK(pending[0]->version == 1);
  CHECK(pending[2]->version == 5);
  pending = pendingMigrations(list, 2, "Test");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0]->sql == "C");
  CHECK(pendingMigrations(list, 5, "Test").empty());
}

TEST_CASE("a database newer than the code is refused with a clear message") {
  constexpr std::array list{Migration{1, "one", "A"}};
  try {
    (void)pendingMigrations(list, 3, "Test");
    FAIL("expected an exception");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::InternalError);
    const std::string message = e.what();
    CHECK(message.find("schema version 3") != std::string::npos);
    CHECK(message.find("newer") != std::string::npos);
  }
}

TEST_CASE("a list that is not strictly increasing is a programming error") {
  constexpr std::array list{Migration{1, "one", "A"}, Migration{1, "again", "B"}};
  CHECK_THROWS_AS((void)pendingMigrations(list, 0, "Test"), Exception);
  CHECK(latestVersion(std::span<const Migration>{}) == 0);
}
