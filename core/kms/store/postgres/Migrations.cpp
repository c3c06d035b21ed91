#include "kms/store/postgres/Migrations.hpp"

#include <array>
#include <chrono>
#include <string>

#include <pqxx/nontransaction>
#include <pqxx/transaction>

namespace kms::store::postgres {
namespace {

// The same tables and indexes as SQLite's schema (see sqlite/Migrations.cpp for why each index
// exists), in PostgreSQL types:
// - every text column is COLLATE "C": ORDER BY uid, user_id or operation then sorts by bytes,
//   as SQLite does, whatever locale the database was created with ("*" before "bob").
// - KMIP enumerations are unsigned 32-bit values: BIGINT holds all of them.
// - blobs are BYTEA; timestamps are microseconds since the epoch in BIGINT, as in SQLite.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE objects (
  uid         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  owner       TEXT COLLATE "C" NOT NULL,
  object_type BIGINT  NOT NULL,
  state       BIGINT  NOT NULL,
  algorithm   BIGINT  NOT NULL,
  length      INTEGER NOT NULL,
  object      BYTEA   NOT NULL,
  attributes  BYTEA   NOT NULL,
  created_us  BIGINT  NOT NULL,
  updated_us  BIGINT  NOT NULL,
  version     BIGINT  NOT NULL
);
CREATE INDEX objects_by_created ON objects (created_us DESC, uid);
CREATE INDEX objects_by_owner ON objects (owner, created_us DESC, uid);
CREATE INDEX objects_by_type ON objects (object_type, created_us DESC, uid);

CREATE TABLE object_names (
  uid      TEXT COLLATE "C" NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  name     TEXT COLLATE "C" NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (uid, name)
);
CREATE INDEX object_names_by_name ON object_names (name, uid);

CREATE TABLE object_tags (
  uid      TEXT COLLATE "C" NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  tag      TEXT COLLATE "C" NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (uid, tag)
);
CREATE INDEX object_tags_by_tag ON object_tags (tag, uid);

CREATE TABLE access (
  uid       TEXT COLLATE "C" NOT NULL REFERENCES objects (uid) ON DELETE CASCADE,
  user_id   TEXT COLLATE "C" NOT NULL,
  operation TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (uid, user_id, operation)
);
CREATE INDEX access_by_user ON access (user_id, uid);
)sql";

// API tokens, as in SQLite's migration 2: only the SHA-256 of the secret is stored.
constexpr std::string_view kApiTokens = R"sql(
CREATE TABLE api_tokens (
  id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  user_id    TEXT COLLATE "C" NOT NULL,
  hash       BYTEA  NOT NULL,
  created_us BIGINT NOT NULL,
  revoked_us BIGINT
);
)sql";

// Grants on keys inside an HSM (uids "hsm::..."), as in SQLite's migration 3: they have no
// object row, hence no foreign key.
constexpr std::string_view kHsmAccess = R"sql(
CREATE TABLE hsm_access (
  uid       TEXT COLLATE "C" NOT NULL,
  user_id   TEXT COLLATE "C" NOT NULL,
  operation TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (uid, user_id, operation)
);
CREATE INDEX hsm_access_by_user ON hsm_access (user_id, uid);
)sql";

// The key the server wrapped each object under, as in SQLite's migration 4 (NULL when it did not
// wrap it), with the same partial index. ADD COLUMN without a default only changes the catalog
// and rewrites no row; the index starts empty (every row is NULL), though building it reads the
// table once while writes to it wait.
constexpr std::string_view kWrappingKey = R"sql(
ALTER TABLE objects ADD COLUMN wrapping_key TEXT COLLATE "C";
CREATE INDEX objects_by_wrapping_key ON objects (wrapping_key, created_us DESC, uid) WHERE wrapping_key IS NOT NULL;
)sql";

// The owner of each name's and tag's object, as in SQLite's migration 5 (see there why): copied
// from objects.owner, NOT NULL once filled (PostgreSQL, unlike SQLite, needs no default for
// that), and the by-value indexes become (value, owner, uid). The UPDATE rewrites every name and
// tag row once, while writes to the two tables wait.
constexpr std::string_view kNameAndTagOwners = R"sql(
ALTER TABLE object_names ADD COLUMN owner TEXT COLLATE "C";
UPDATE object_names n SET owner = o.owner FROM objects o WHERE o.uid = n.uid;
ALTER TABLE object_names ALTER COLUMN owner SET NOT NULL;
DROP INDEX object_names_by_name;
CREATE INDEX object_names_by_name ON object_names (name, owner, uid);
ALTER TABLE object_tags ADD COLUMN owner TEXT COLLATE "C";
UPDATE object_tags t SET owner = o.owner FROM objects o WHERE o.uid = t.uid;
ALTER TABLE object_tags ALTER COLUMN owner SET NOT NULL;
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

constexpr std::string_view kBackend = "PostgreSQL";

// Key of the advisory lock that serialises migrations. Advisory locks are per database, so
// this only has to be distinct from other users of advisory locks in kmsd's database:
// "kmsd" in ASCII, then "migr".
constexpr std::int64_t kMigrationLock = 0x6b6d7364'6d696772;

std::int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int readVersion(pqxx::transaction_base& tx) {
  // to_regclass honours search_path, as the unqualified table names of the schema do.
  const auto exists = tx.exec("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return 0;
  return tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0].as<int>();
}

}  // namespace

std::span<const Migration> migrations() noexcept {
  return kMigrations;
}

int appliedVersion(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  return readVersion(tx);
}

int migrate(pqxx::connection& connection) {
  pqxx::work tx(connection, "migrate");
  // Held until commit or rollback; released by the server if this node dies meanwhile.
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER NOT NULL PRIMARY KEY,"
      " description TEXT NOT NULL,"
      " applied_us BIGINT NOT NULL)");
  // Read under the lock: another node may have migrated while we waited for it.
  const int current = readVersion(tx);
  const auto pending = pendingMigrations(migrations(), current, kBackend);
  if (pending.empty()) {
    tx.commit();
    return current;
  }
  for (const Migration* migration : pending) {
    tx.exec(std::string(migration->sql));
    tx.exec_params("INSERT INTO schema_version (version, description, applied_us) VALUES ($1, $2, $3)",
                   migration->version, std::string(migration->description), nowMicros());
  }
  tx.commit();
  return pending.back()->version;
}

}  // namespace kms::store::postgres
