#pragma once
// Receives the store's change notifications (LISTEN kms_object_changed) on a dedicated
// PostgreSQL session and thread, for cache invalidation across kmsd nodes.
//
// PostgreSQL drops notifications sent while a session is not listening. After the listening
// session is lost (network, server restart, pg_terminate_backend), the listener reconnects and
// then reports kWildcard: "anything may have changed", the only safe answer to a gap.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kms::store::postgres {

class Watchdog;

class ChangeListener {
 public:
  static constexpr const char* kChannel = "kms_object_changed";
  static constexpr const char* kWildcard = "*";

  // `version`: the object's version after the change (ObjectStore::update), so that a node
  // can keep what it already holds of that version or a later one (its own changes come back
  // to it too); 0 when the object was removed, and with kWildcard.
  using Callback = std::function<void(const std::string& uid, std::int64_t version)>;
  // The NOTIFY payload of a change: "<version>:<uid>".
  [[nodiscard]] static std::string payload(const std::string& uid, std::int64_t version);
  // Tells the owner about a lost session or failed reconnection (already free of secrets).
  using ErrorSink = std::function<void(const std::string& message)>;

  // Connects and LISTENs before returning, so that every change committed after the
  // constructor returns is reported. Throws what connecting throws (pqxx failures). The
  // round trips of (re)connecting are bounded by `watchdog`, which must outlive the listener.
  ChangeListener(std::string conninfo, std::chrono::milliseconds statementTimeout, Watchdog& watchdog,
                 ErrorSink errors);
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  // Adds a callback. Callbacks run on the listener's thread, one at a time; an exception from
  // one is reported to the error sink and does not stop the listener.
  void add(Callback callback);
  // The listening session's backend pid (0 while reconnecting), for tests and diagnostics.
  [[nodiscard]] int backendPid() const noexcept { return backendPid_.load(); }

 private:
  class Session;

  void run(std::unique_ptr<Session> first);
  void deliver(const std::string& payload);
  // Sleeps up to `delay` or until stopping; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const std::string conninfo_;
  const std::chrono::milliseconds statementTimeout_;
  Watchdog& watchdog_;
  const ErrorSink errors_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;            // guarded by mutex_
  std::vector<Callback> callbacks_;  // guarded by mutex_
  std::atomic<int> backendPid_{0};
  std::thread thread_;
};

}  // namespace kms::store::postgres
