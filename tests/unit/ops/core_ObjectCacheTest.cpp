// ObjectCache (core/kms/ops): what the request path relies on. A hit returns the object put; the
// least recently used entry goes first; a change (forget) drops the entry unless the cache
// already holds that version; an object read from the store while a forget ran is not kept (it
// may predate the change); entries expire by age when a maximum age is set; an entry dropped
// while a request holds it stays intact for that request (the wipe waits for the last holder).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "kms/ops/objects/ObjectCache.hpp"

using kms::kmip::Ttlv;
using kms::ops::objects::ManagedObject;
using kms::ops::objects::ObjectCache;

namespace {

ManagedObject object(const std::string& uid, std::int64_t version = 1) {
  ManagedObject made;
  made.uid = uid;
  made.owner = "alice";
  made.version = version;
  made.object = Ttlv::structure("SymmetricKey", {Ttlv::byteString("KeyMaterial", Ttlv::Bytes(32, 0xAB))});
  made.attributes = Ttlv::structure("Attributes");
  return made;
}

void put(ObjectCache& cache, const std::string& uid, std::int64_t version = 1) {
  (void)cache.put(object(uid, version), cache.epoch());
}

}  // namespace

TEST_CASE("ObjectCache: a hit returns the object put, a miss nothing") {
  ObjectCache cache(4, std::chrono::milliseconds(0));
  put(cache, "a", 7);
  const auto hit = cache.find("a");
  REQUIRE(hit != nullptr);
  CHECK(hit->uid == "a");
  CHECK(hit->version == 7);
  CHECK(cache.find("b") == nullptr);
}

TEST_CASE("ObjectCache: beyond capacity the least recently used entry goes") {
  ObjectCache cache(2, std::chrono::milliseconds(0));
  put(cache, "a");
  put(cache, "b");
  CHECK(cache.find("a") != nullptr);  // a is now the most recently used
  put(cache, "c");
  CHECK(cache.find("a") != nullptr);
  CHECK(cache.find("b") == nullptr);
  CHECK(cache.find("c") != nullptr);
}

TEST_CASE("ObjectCache: capacity 0 keeps nothing but still hands the object back") {
  ObjectCache cache(0, std::chrono::milliseconds(0));
  const auto held = cache.put(object("a"), cache.epoch());
  REQUIRE(held != nullptr);
  CHECK(held->uid == "a");
  CHECK(cache.find("a") == nullptr);
}

TEST_CASE("ObjectCache: forget drops older versions and keeps the version announced or newer") {
  ObjectCache cache(4, std::chrono::milliseconds(0));
  put(cache, "a", 3);
  cache.forget("a", 3);  // this node's own change echoing back: the cache has it already
  CHECK(cache.find("a") != nullptr);
  cache.forget("a", 4);  // another node wrote version 4
  CHECK(cache.find("a") == nullptr);
  put(cache, "b", 9);
  cache.forget("b");  // version 0: whatever the version
  CHECK(cache.find("b") == nullptr);
}

TEST_CASE("ObjectCache: an object read while a forget ran is not kept") {
  ObjectCache cache(4, std::chrono::milliseconds(0));
  const auto before = cache.epoch();  // taken before reading the store
  cache.forget("a");                  // a change lands while the read is in flight
  const auto held = cache.put(object("a"), before);
  CHECK(held != nullptr);             // the request still gets its object
  CHECK(cache.find("a") == nullptr);  // but the cache does not keep it
  put(cache, "a");
  CHECK(cache.find("a") != nullptr);
}

TEST_CASE("ObjectCache: forgetAll empties the cache") {
  ObjectCache cache(4, std::chrono::milliseconds(0));
  put(cache, "a");
  put(cache, "b");
  cache.forgetAll();
  CHECK(cache.find("a") == nullptr);
  CHECK(cache.find("b") == nullptr);
}

TEST_CASE("ObjectCache: entries older than the maximum age are read again") {
  ObjectCache cache(4, std::chrono::milliseconds(50));
  put(cache, "a");
  CHECK(cache.find("a") != nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  CHECK(cache.find("a") == nullptr);
}

TEST_CASE("ObjectCache: an evicted or forgotten entry stays intact for the request holding it") {
  ObjectCache cache(1, std::chrono::milliseconds(0));
  put(cache, "a");
  auto held = cache.find("a");
  REQUIRE(held != nullptr);
  const auto& material = held->object.items().at(0).bytes();
  put(cache, "b");  // evicts a: the wipe waits for the last holder
  CHECK(material == Ttlv::Bytes(32, 0xAB));
  auto other = cache.find("b");
  REQUIRE(other != nullptr);
  cache.forgetAll();
  CHECK(other->object.items().at(0).bytes() == Ttlv::Bytes(32, 0xAB));
}
