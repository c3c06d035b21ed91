#include "kms/store/sqlite/Migrations.hpp"

#include <array>
#include <chrono>

#include "kms/store/sqlite/Transaction.hpp"

namespace kms::store::sqlite {
namespace {

// Index choices, for Locate over 100,000+ objects:
// - objects (created_us DESC, uid) serves the unfiltered newest-first page without sorting;
//   (owner, ...) and (object_type, ...) do the same for ownedBy/visibleTo and type filters.
// - names, tags and access are looked up by value, so each has an index led by that value; the
//   (uid, ...) primary keys serve the per-object reads and the cascading deletes.
// STRICT makes SQLite refuse a value of the wrong type instead of storing it as given.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE objects (
  uid         TEXT    NOT NULL PRIMARY KEY,
  owner       TEXT    NOT NULL,
  object_type INTEGER NOT NULL,
  state       INTEGER NOT NULL,
  algorithm   INTEGER NOT NULL,
  length      INTEGER NOT NULL,
  object      BLOB    NOT NULL,
  attributes  BLOB    NOT NULL,
  created_us  INTEGER NOT NULL,
  updated_us  INTEGER NOT NULL,
  version     INTEGER NOT NULL
) STRICT;
CREATE INDEX objects_by_created ON objects (created_us DESC, uid);
CREATE INDEX objects_by_owner ON objects (owner, created_us DESC, uid);
CREATE INDEX objects_by_type ON objects (object_type, created_us DESC, uid);

CREATE TABLE object_names (
  uid      TEXT    NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  name     TEXT    NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (uid, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX object_names_by_name ON object_names (name, uid);

CREATE TABLE object_tags (
  uid      TEXT    NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  tag      TEXT    NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (uid, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX object_tags_by_tag ON object_tags (tag, uid);

CREATE TABLE access (
  uid       TEXT NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  user_id   TEXT NOT NULL,
  operation TEXT NOT NULL,
  PRIMARY KEY (uid, user_id, operation)
) STRICT, WITHOUT ROWID;
CREATE INDEX access_by_user ON access (user_id, uid);
)sql";

// API tokens: the secret is never stored, only its SHA-256 (a 32-byte BLOB). Revoked tokens
// stay, with the time of revocation, so that an audit can tell which token acted when.
constexpr std::string_view kApiTokens = R"sql(
CREATE TABLE api_tokens (
  id         TEXT    NOT NULL PRIMARY KEY,
  user_id    TEXT    NOT NULL,
  hash       BLOB    NOT NULL,
  created_us INTEGER NOT NULL,
  revoked_us INTEGER
) STRICT;
)sql";

// Grants on keys that live inside an HSM (uids "hsm::..."): they have no row in objects, so
// they cannot be in `access` (its foreign key). Same columns, no foreign key; a destroyed HSM
// key's rows are deleted by the HSM Destroy.
constexpr std::string_view kHsmAccess = R"sql(
CREATE TABLE hsm_access (
  uid       TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  operation TEXT NOT NULL,
  PRIMARY KEY (uid, user_id, operation)
) STRICT, WITHOUT ROWID;
CREATE INDEX hsm_access_by_user ON hsm_access (user_id, uid);
)sql";

// The hsm:: UID of the key the server wrapped an object's key material under (NULL when it did
// not wrap it), so that re-wrapping under a new key-encryption key finds every object wrapped
// under the old one. The index is partial: objects stored in clear (NULL) take no entry, and a
// `wrapping_key = ?` comparison implies IS NOT NULL, so SQLite can use it. It is ordered like
// the other index columns so that the newest-first result needs no sort.
constexpr std::string_view kWrappingKey = R"sql(
ALTER TABLE objects ADD COLUMN wrapping_key TEXT;
CREATE INDEX objects_by_wrapping_key ON objects (wrapping_key, created_us DESC, uid) WHERE wrapping_key IS NOT NULL;
)sql";

// The owner of each name's and tag's object, copied from objects.owner (SqliteStore writes it with
// the rows, and rewrites the rows whenever it writes the object, so it follows an owner change),
// and the by-value indexes extended to (value, owner, uid). A user's Locate by name or tag then
// reads only the user's own entries of the value (see LocateSql): before, it read the value's
// entries of every user, and the time it took told how many other users' objects carry it.
// The old (value, uid) indexes go: the new ones serve every query they served. SQLite cannot
// add a NOT NULL column without a default; every row is written with its owner, so the '' of
// the default never stays.
constexpr std::string_view kNameAndTagOwners = R"sql(
ALTER TABLE object_names ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE object_names SET owner = (SELECT o.owner FROM objects o WHERE o.uid = object_names.uid);
DROP INDEX object_names_by_name;
CREATE INDEX object_names_by_name ON object_names (name, owner, uid);
ALTER TABLE object_tags ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE object_tags SET owner = (SELECT o.owner FROM objects o WHERE o.uid = object_tags.uid);
DROP INDEX object_tags_by_tag;
CREATE INDEX object_tags_by_tag ON object_tags (tag, owner, uid);
)sql";

constexpr std::array kMigrations{
    Migration{1, "objects, names, tags and access", kInitialSchema},
    Migration{2, "api tokens", kApiTokens},
    Migration{3, "grants on HSM keys", kHsmAccess},
    Migration{4, "key the server wrapped each object under", kWrappingKey},
    Migration{5, "owner of each name and tag, indexed by value and owner", kNameAndTagOwners},
};

constexpr std::string_view kBackend = "SQLite";

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::span<const Migration> migrations() noexcept {
  return kMigrations;
}

int appliedVersion(Connection& connection) {
  auto exists = connection.statement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!exists->step()) return 0;
  exists->reset();
  auto max = connection.statement("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  max->step();
  const auto version = static_cast<int>(max->columnInt64(0));
  max->reset();
  return version;
}

int migrate(Connection& writer) {
  Transaction transaction(writer, Transaction::Kind::Write);
  writer.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER NOT NULL PRIMARY KEY,"
      " description TEXT NOT NULL,"
      " applied_us INTEGER NOT NULL)");
  // Read under the write lock: another process may have migrated while we waited for it.
  const int current = appliedVersion(writer);
  const auto pending = pendingMigrations(migrations(), current, kBackend);
  if (pending.empty()) {
    transaction.commit();
    return current;
  }
  for (const Migration* migration : pending) {
    writer.exec(migration->sql);
    writer.statement("INSERT INTO schema_version (version, description, applied_us) VALUES (?1, ?2, ?3)")
        ->bindInt64(1, migration->version)
        .bindText(2, migration->description)
        .bindInt64(3, nowMicros())
        .run();
  }
  transaction.commit();
  return pending.back()->version;
}

}  // namespace kms::store::sqlite
