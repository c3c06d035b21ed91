#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "StoreTestSupport.hpp"
#include "kms/store/sqlite/LocateSql.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

using kms::store::LocateQuery;
using kms::store::SqliteStore;
using kms::store::StoredObject;
using namespace kms::store::test;

TEST_CASE("locate uses the by-value indexes") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  RawDb raw(store.databaseFile());
  LocateQuery q;
  q.name = "x";
  auto plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("object_names_by_name") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("SCAN o") == std::string::npos, plan);
  q = {};
  q.tags = {"a", "b"};
  q.visibleTo = "u";
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("object_tags_by_tag") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("SCAN o") == std::string::npos, plan);
  q = {};
  q.visibleTo = "u";
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("objects_by_owner") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("access_by_user") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("SCAN o") == std::string::npos, plan);
  q = {};
  q.objectType = 2;
  q.limit = 10;
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("objects_by_type") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("TEMP B-TREE") == std::string::npos, plan);  // no sort: the index is in order
}

TEST_CASE("locate by wrapping key uses its partial index, and only when nothing else drives") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  RawDb raw(store.databaseFile());
  LocateQuery q;
  q.wrappingKey = "hsm::p::0::kek";
  q.limit = 100;
  auto plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("objects_by_wrapping_key") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("TEMP B-TREE") == std::string::npos, plan);  // re-wrap pages need no sort
  // One key-encryption key may wrap every object: the name or tag must still drive.
  q.name = "x";
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("object_names_by_name") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("objects_by_wrapping_key") == std::string::npos, plan);
  q.name.reset();
  q.tags = {"t"};
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("object_tags_by_tag") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("objects_by_wrapping_key") == std::string::npos, plan);
  q.tags.clear();
  q.visibleTo = "u";
  plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("objects_by_owner") != std::string::npos, plan);
  CHECK_MESSAGE(plan.find("objects_by_wrapping_key") == std::string::npos, plan);
}

// The Locate of a user by name or tag reads the user's own entries of the value, by (value, owner)
// index, and the user's grants, each checked by primary key: never the value's entries of other
// users' objects (their number would show in the time it takes: issue 22, finding 5).
TEST_CASE("a user's locate by name or tag reads only the user's entries and grants") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  RawDb raw(store.databaseFile());
  const auto readsOnlyTheUsers = [](const std::string& plan, const std::string& byValueIndex,
                                    const std::string& column) {
    CHECK_MESSAGE(plan.find(byValueIndex + " (" + column + "=? AND owner=?)") != std::string::npos, plan);
    CHECK_MESSAGE(plan.find("access_by_user (user_id=?)") != std::string::npos, plan);
    CHECK_MESSAGE(plan.find("PRIMARY KEY (uid=? AND " + column + "=?)") != std::string::npos, plan);
    CHECK_MESSAGE(plan.find("SEARCH o USING INDEX sqlite_autoindex_objects_1 (uid=?)") != std::string::npos, plan);
    // The value alone, as the server's own queries use it, would be every user's entries.
    CHECK_MESSAGE(plan.find("(" + column + "=?)") == std::string::npos, plan);
    CHECK_MESSAGE(plan.find("SCAN") == std::string::npos, plan);
  };
  LocateQuery q;
  q.visibleTo = "u";
  q.tags = {"a"};
  readsOnlyTheUsers(raw.plan(kms::store::sqlite::LocateSql::build(q).sql), "object_tags_by_tag", "tag");
  q.tags = {"a", "b", "c"};
  q.objectType = 2;
  q.limit = 10;
  readsOnlyTheUsers(raw.plan(kms::store::sqlite::LocateSql::build(q).sql), "object_tags_by_tag", "tag");
  q.name = "n";
  readsOnlyTheUsers(raw.plan(kms::store::sqlite::LocateSql::build(q).sql), "object_names_by_name", "name");
  // The further tags of a query by name: primary-key probes of each candidate.
  const auto plan = raw.plan(kms::store::sqlite::LocateSql::build(q).sql);
  CHECK_MESSAGE(plan.find("PRIMARY KEY (uid=? AND tag=?)") != std::string::npos, plan);
}

TEST_CASE("a user's locate by name or tag finds what the user owns or was granted, and nothing else") {
  TempDir tmp;
  SqliteStore store(tmp.path());
  std::vector<StoredObject> objects;
  for (int i = 0; i < 40; ++i) {
    StoredObject o = makeObject("o" + std::to_string(i), i < 10 ? "alice" : "bob");
    o.names = {"n"};
    o.tags = {"t", i % 2 == 0 ? "even" : "odd"};
    objects.push_back(std::move(o));
  }
  store.insert(objects);
  store.grant("o10", "alice", {"get"});
  store.grant("o11", "*", {"get"});
  store.grant("o12", "carol", {"get"});
  store.grant("o2", "*", {"encrypt", "get"});  // hers anyway: listed once
  const auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  LocateQuery q;
  q.visibleTo = "alice";
  q.tags = {"t"};
  CHECK(sorted(store.locate(q)) ==
        std::vector<std::string>{"o0", "o1", "o10", "o11", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"});
  q.tags = {"t", "even"};
  CHECK(sorted(store.locate(q)) == std::vector<std::string>{"o0", "o10", "o2", "o4", "o6", "o8"});
  q.tags = {"odd", "t", "odd"};
  q.name = "n";
  CHECK(sorted(store.locate(q)) == std::vector<std::string>{"o1", "o11", "o3", "o5", "o7", "o9"});
  q.tags.clear();
  q.visibleTo = "carol";
  CHECK(sorted(store.locate(q)) == std::vector<std::string>{"o11", "o12", "o2"});
  q.name = "nobody";
  CHECK(store.locate(q).empty());
  // An owner change reaches the copies of the owner in the name and tag rows.
  auto moved = store.get("o39");
  REQUIRE(moved);
  moved->owner = "carol";
  store.update(*moved);
  q.name = "n";
  CHECK(sorted(store.locate(q)) == std::vector<std::string>{"o11", "o12", "o2", "o39"});
  q.name.reset();
  q.tags = {"odd"};
  CHECK(sorted(store.locate(q)) == std::vector<std::string>{"o11", "o39"});
  q.visibleTo = "bob";
  CHECK(store.locate(q).size() == 14);  // o13 ... o37, the odd ones
}

// A measurement, not a check of behaviour: loading 100,000 objects takes 5-15 s on the shared
// 2-core machines, so it is skipped by default. Run it with
//   kms_unit_store --no-skip -tc="locate stays fast*"
TEST_CASE("locate stays fast with 100,000 objects" * doctest::skip()) {
  TempDir tmp;
  SqliteStore store(tmp.path());
  constexpr int kObjects = 100'000;
  constexpr int kBatch = 2'000;
  const auto start = std::chrono::steady_clock::now();
  for (int b = 0; b < kObjects / kBatch; ++b) {
    std::vector<StoredObject> batch;
    batch.reserve(kBatch);
    for (int i = b * kBatch; i < (b + 1) * kBatch; ++i) {
      StoredObject o = makeObject("uid-" + std::to_string(i), "user-" + std::to_string(i % 1000));
      o.objectType = 2 + static_cast<std::uint32_t>(i % 3);
      o.names = {"name-" + std::to_string(i)};
      o.tags = {"tag-" + std::to_string(i % 500), i % 2 == 0 ? "even" : "odd"};
      batch.push_back(std::move(o));
    }
    store.insert(batch);
  }
  const auto loaded = std::chrono::steady_clock::now();

  auto timed = [&](const char* label, const LocateQuery& q, std::size_t expected) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> uids;
    constexpr int kRuns = 20;
    for (int r = 0; r < kRuns; ++r) uids = store.locate(q);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(uids.size() == expected);
    MESSAGE(std::string(label) << ": " << us / kRuns << " us per locate (" << uids.size() << " uids)");
  };
  MESSAGE("loaded " << kObjects << " objects in batches of " << kBatch << " in "
                    << std::chrono::duration_cast<std::chrono::milliseconds>(loaded - start).count() << " ms");
  LocateQuery q;
  q.name = "name-77777";
  timed("by name", q, 1);
  q = {};
  q.tags = {"tag-7"};
  timed("by tag (200 matches)", q, 200);
  q.tags = {"odd", "tag-7"};  // the common tag first: the store reorders them
  timed("by two tags, one on half the objects (200 matches)", q, 200);
  q.tags = {"even", "odd"};
  q.limit = 20;
  timed("by two common tags, disjoint (0 matches)", q, 0);
  q = {};
  q.tags = {"even"};
  q.visibleTo = "user-42";
  timed("by a common tag and visibleTo (100 matches)", q, 100);
  q = {};
  q.objectType = 3;
  q.limit = 50;
  timed("by type, first page of 50", q, 50);
  q = {};
  q.visibleTo = "user-42";
  q.limit = 50;
  timed("visibleTo, first page of 50", q, 50);
  q = {};
  q.tags = {"tag-7"};
  q.visibleTo = "user-7";
  timed("by tag and visibleTo", q, 100);
  q = {};
  q.offset = 99'990;
  timed("last page of everything", q, 10);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(store.get("uid-12345"));
  MESSAGE(
      "get: " << std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count()
              << " us");
}
