#include <doctest/doctest.h>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::AccessEntry;
using kms::store::SqliteStore;
using namespace kms::store::test;
using Ops = std::set<std::string>;

TEST_CASE("grant on a missing object is NotFound") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  try {
    store.grant("missing", "bob", {"get"});
    FAIL("expected NotFound");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::NotFound);
  }
}
