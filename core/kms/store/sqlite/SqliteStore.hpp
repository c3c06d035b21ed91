#pragma once
// ObjectStore on an embedded SQLite database: the default store, nothing to install or start.
//
// The database is `<directory>/kms.db` in WAL mode with synchronous=FULL, so every successful
// call is on disk before it returns. One write connection (writes are serialised, as SQLite
// requires) and a few read-only connections that read concurrently under WAL.
//
// Choices where ObjectStore leaves room (a future store should make the same ones):
// - grant() on a uid that does not exist throws kms::Exception(NotFound); revoke() of rights
//   that are not held, or on a missing uid, does nothing. Empty operation sets do nothing.
// - operationsFor() returns grants only (direct and "*"); ownership is the caller's concern.
// - obtainedBy() lists direct grants on objects the user does not own; "*" grants, which
//   every user holds, are not listed there. Both ownedBy() and obtainedBy() are newest first.
// - created_us/updated_us come from the wall clock but never repeat or go backwards within a
//   store, so "newest first" is the order of the calls even across clock steps; a batch shares
//   one time, and its order is then by uid.
// - names and tags come back from get() in the order first given, without duplicates.
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string_view>

#include "kms/store/ObjectStore.hpp"
#include "kms/store/TokenStore.hpp"

namespace kms::store {

namespace sqlite {
class ConnectionPool;
class GroupCommit;
}  // namespace sqlite

struct SqliteOptions {
  // Read-only connections; reads beyond this many at once wait for one to be free.
  std::size_t readConnections = 4;
  // How long a call waits for a connection or for SQLite's lock before Unavailable.
  std::chrono::milliseconds busyTimeout{5000};
};

class SqliteStore final : public ObjectStore, public TokenStore {
 public:
  static constexpr std::string_view kFileName = "kms.db";

  // Creates `directory` (mode 0700) and the database (mode 0600) when missing, and brings the
  // schema up to date. Throws kms::Exception(InternalError) when the directory or file cannot
  // be created, the file is not a usable database, or its schema is newer than this code.
  explicit SqliteStore(const std::filesystem::path& directory, const SqliteOptions& options = SqliteOptions());
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] const std::filesystem::path& databaseFile() const noexcept { return file_; }

  void insert(const std::vector<StoredObject>& objects) override;
  [[nodiscard]] std::optional<StoredObject> get(const std::string& uid) override;
  void update(const StoredObject& object) override;
  bool remove(const std::string& uid) override;
  [[nodiscard]] std::vector<std::string> locate(const LocateQuery& query) override;

  void grant(const std::string& uid, const std::string& user, const std::set<std::string>& operations) override;
  void revoke(const std::string& uid, const std::string& user, const std::set<std::string>& operations) override;
  [[nodiscard]] std::set<std::string> operationsFor(const std::string& uid, const std::string& user) override;
  [[nodiscard]] std::optional<ObjectAccess> accessOf(const std::string& uid, const std::string& user) override;
  [[nodiscard]] std::set<std::string> hsmKeysGrantedTo(const std::string& user) override;
  [[nodiscard]] std::vector<AccessEntry> listAccess(const std::string& uid) override;
  [[nodiscard]] std::vector<std::string> ownedBy(const std::string& user) override;
  [[nodiscard]] std::vector<std::pair<std::string, std::set<std::string>>> obtainedBy(const std::string& user) override;

  void insertToken(const ApiTokenRecord& token) override;
  [[nodiscard]] std::optional<ApiTokenRecord> findToken(const std::string& id) override;
  bool revokeToken(const std::string& id) override;
  [[nodiscard]] std::vector<ApiTokenRecord> listTokens() override;

  void ping() override;
  [[nodiscard]] int schemaVersion() override;

 private:
  // The next timestamp, strictly after the previous one; call only while holding the writer.
  std::int64_t nextMicros();

  std::filesystem::path file_;
  std::int64_t lastMicros_ = 0;  // guarded by the write connection's lease
  std::unique_ptr<sqlite::ConnectionPool> pool_;
  std::unique_ptr<sqlite::GroupCommit> groupCommit_;
};

}  // namespace kms::store
