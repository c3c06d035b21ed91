#pragma once
// Persistence of managed objects, their index columns, tags and access rights.
//
// The store never interprets KMIP: the object and its attributes arrive as opaque binary TTLV
// blobs, plus the few columns Locate filters on. A successful call means the change is
// committed and durable. Implementations are thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::store {

struct StoredObject {
  std::string uid;
  std::string owner;
  std::uint32_t objectType = 0;    // KMIP ObjectType enumeration value
  std::uint32_t state = 0;         // KMIP State enumeration value
  std::uint32_t algorithm = 0;     // KMIP CryptographicAlgorithm value, 0 when none
  std::int32_t length = 0;         // CryptographicLength in bits, 0 when none
  std::vector<std::string> names;  // every Name value, for Locate
  std::vector<std::string> tags;   // user tags, for Locate and tag selectors
  kms::SecureBytes object;         // binary TTLV of the KMIP object (e.g. SymmetricKey): may hold key material
  kms::SecureBytes attributes;     // binary TTLV of its Attributes structure
  // hsm:: UID of the key the server wrapped `object`'s key material under; empty when the key
  // material is stored in clear or was wrapped by the client. Kept as a column (NULL when empty,
  // schema migration 4) so that re-wrapping under a new key-encryption key finds every object
  // wrapped under the old one, and so that the server never unwraps a blob it did not wrap.
  std::string wrappingKey;
  std::int64_t createdMicros = 0;  // set by the store on insert
  std::int64_t updatedMicros = 0;  // set by the store on insert and update
  std::int64_t version = 0;        // set by the store: 1 on insert, +1 per update
};

struct LocateQuery {
  std::optional<std::string> name;  // exact match on one of the names
  std::vector<std::string> tags;    // every tag must be present
  std::optional<std::uint32_t> objectType;
  std::optional<std::uint32_t> algorithm;
  std::optional<std::int32_t> length;
  std::optional<std::uint32_t> state;
  // The state is one of `statesIn` (when not empty) and none of `statesNotIn`: one query for
  // Locate's storage status (on-line objects only, or destroyed ones only).
  std::vector<std::uint32_t> statesIn;
  std::vector<std::uint32_t> statesNotIn;
  // Exact match on StoredObject::wrappingKey: "hsm::..." selects the objects the server wrapped
  // under that key (by index); "" selects those it did not wrap (stored in clear or wrapped by
  // the client), which reads every object.
  std::optional<std::string> wrappingKey;
  // When set, only objects this user owns or holds any grant on (directly or through "*").
  std::optional<std::string> visibleTo;
  std::uint32_t offset = 0;
  std::optional<std::uint32_t> limit;
};

// Who owns an object and what one user may do with it (ObjectStore::accessOf).
struct ObjectAccess {
  std::string owner;
  std::set<std::string> operations;  // the user's grants, direct and through "*"
};

struct AccessEntry {
  std::string user;
  std::set<std::string> operations;  // lowercase KMIP operation names: "get", "encrypt", ...
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Inserts all objects in one transaction. Throws kms::Exception(AlreadyExists) when a uid
  // is taken (and inserts none).
  virtual void insert(const std::vector<StoredObject>& objects) = 0;
  [[nodiscard]] virtual std::optional<StoredObject> get(const std::string& uid) = 0;
  // Replaces the object's columns and blobs. Throws kms::Exception(NotFound) when absent,
  // and kms::Exception(InvalidField) when `object.version` is not the stored version (a
  // concurrent update won); on success the stored version is incremented.
  virtual void update(const StoredObject& object) = 0;
  // Removes the object with its tags and access rights. Returns false when it was absent.
  virtual bool remove(const std::string& uid) = 0;
  // Uids matching the query, newest first (ties broken by uid).
  [[nodiscard]] virtual std::vector<std::string> locate(const LocateQuery& query) = 0;

  // Access rights. A uid starting with "hsm::" names a key inside an HSM: it has no object row,
  // grant() does not check that it exists (the HSM layer does) and its rights are kept apart
  // from the objects' (schema migration 3, hsm_access), so that they survive no object and
  // never show in ownedBy/obtainedBy joins.
  virtual void grant(const std::string& uid, const std::string& user, const std::set<std::string>& operations) = 0;
  virtual void revoke(const std::string& uid, const std::string& user, const std::set<std::string>& operations) = 0;
  // Operations `user` holds on `uid`, including those granted to "*".
  [[nodiscard]] virtual std::set<std::string> operationsFor(const std::string& uid, const std::string& user) = 0;
  // The owner of object `uid` and the operations `user` holds on it, in one read that costs the
  // same for a missing object as for someone else's (nothing of the object's content is read):
  // the access check before an object is loaded. nullopt when there is no such object.
  // (This default, for test doubles, has neither property; the real stores override it.)
  [[nodiscard]] virtual std::optional<ObjectAccess> accessOf(const std::string& uid, const std::string& user) {
    auto operations = operationsFor(uid, user);
    const auto object = get(uid);
    if (!object) return std::nullopt;
    return ObjectAccess{object->owner, std::move(operations)};
  }
  // The hsm:: UIDs on which `user` holds any right (directly or through "*"), in one read.
  // (The default, for test doubles that hold no HSM grants: none.)
  [[nodiscard]] virtual std::set<std::string> hsmKeysGrantedTo(const std::string& /*user*/) { return {}; }
  [[nodiscard]] virtual std::vector<AccessEntry> listAccess(const std::string& uid) = 0;
  // Uids owned by the user, and (uid, operations) the user obtained from others.
  [[nodiscard]] virtual std::vector<std::string> ownedBy(const std::string& user) = 0;
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::set<std::string>>> obtainedBy(
      const std::string& user) = 0;

  // A cheap round trip to the database; throws kms::Exception(Unavailable) on failure.
  virtual void ping() = 0;
  // Applied schema version (the highest migration number).
  [[nodiscard]] virtual int schemaVersion() = 0;
};

}  // namespace kms::store
