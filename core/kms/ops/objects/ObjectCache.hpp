#pragma once
// Decoded managed objects kept in memory, so that a request on a hot key reads neither the
// database nor the TTLV blobs (a third of an Encrypt's CPU before, docs/benchmarks.md).
//
// Correctness does not rest on the cache being told everything: this node drops an entry the
// moment it changes the object (ObjectRepository), other nodes drop it on the store's change
// notification, and an entry older than `maxAge` is read again from the database whatever
// happened, which bounds how long a lost notification can leave a node behind (PostgreSQL:
// well under a second; SQLite has one node only and no limit is needed). Rights are never
// cached: a non-owner's grants are read from the store on every request.
//
// Entries hold key material (wrapped, or clear for keys stored in clear); the last holder of an
// entry wipes its key object when it goes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::objects {

class ObjectCache {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity` 0: nothing is kept. `maxAge` zero: entries never expire by age.
  ObjectCache(std::size_t capacity, std::chrono::milliseconds maxAge);

  [[nodiscard]] std::shared_ptr<const ManagedObject> find(const std::string& uid);
  // Taken before reading an object from the store, and given back to put(): an object read
  // while any forget() ran is not kept (it may predate the change that forget() announced).
  [[nodiscard]] std::uint64_t epoch();
  // Returns the object as shared (kept or not).
  std::shared_ptr<const ManagedObject> put(ManagedObject object, std::uint64_t epochBeforeRead);
  // The object changed or went: drop it unless it is `version` or newer (0: drop it whatever
  // its version), and refuse objects read before this call.
  void forget(const std::string& uid, std::int64_t version = 0);
  void forgetAll();

 private:
  struct Entry {
    std::shared_ptr<const ManagedObject> object;
    Clock::time_point loaded;
  };
  using Lru = std::list<std::string>;  // uids, most recently used first

  const std::size_t capacity_;
  const std::chrono::milliseconds maxAge_;
  std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, std::pair<Entry, Lru::iterator>> entries_;
  // Counts forget() calls. Changes are rare next to reads in a KMS, so a global count costs
  // little and needs no per-uid bookkeeping.
  std::uint64_t epoch_ = 0;
};

}  // namespace kms::ops::objects
