#pragma once
// The audit log writer (docs/audit.md). Request threads hand events to a bounded queue; one
// writer thread numbers them, chains them (LineFormat), writes them, syncs them as the flush
// policy says and rotates the file. Under the `event` policy a request waits until its line is
// on disk; all the lines queued while the writer synced go out with the next single fdatasync
// (group commit), so the disk's latency is paid once per batch, not once per request.
//
// One log serves the whole process, as Poco's loggers do: every room records to current()
// (installed by main.cpp) without each front end carrying a pointer through its constructors;
// nullptr means no audit log is configured, and the check is one atomic load.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kms/audit/AuditEvent.hpp"
#include "kms/audit/AuditSettings.hpp"

namespace kms::audit {

class AuditLog {
 public:
  // Opens (or creates, mode 0600) the file and continues the chain from its last line, or
  // from the last rotated file's when the active one is missing or empty, and starts the
  // writer. Throws AuditError when the file cannot be opened or its last line is not an audit
  // line (kmsd must not start a new chain silently over a damaged one).
  explicit AuditLog(AuditSettings settings);
  ~AuditLog();  // stop()
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues `event` and returns its ticket for await(); waits while the queue is full. Throws
  // AuditError when the writer has failed (the event could not be recorded).
  std::uint64_t submit(AuditEvent event);
  // `event` policy: returns when every event up to `ticket` is written and synced; throws
  // AuditError when the writer failed before that. `interval` policy: returns at once.
  void await(std::uint64_t ticket);
  // submit() then await().
  void record(AuditEvent event) { await(submit(std::move(event))); }
  // False once a write, sync or rotation failed: the log stays failed, and the server refuses
  // KMIP operations until it is restarted with a writable log (the server log says why).
  [[nodiscard]] bool healthy() const;
  // Writes what is queued, syncs and ends the writer; later submit()s throw.
  void stop();

  [[nodiscard]] FlushPolicy policy() const noexcept { return settings_.flush; }
  // The sequence number of the last line written (0: none yet); for tests and the stop line.
  [[nodiscard]] std::uint64_t lastSequence() const;

  // record() on the installed log; nothing when none is. Throws AuditError as record() does.
  // `durable` false: submit() only, the caller does not wait for the disk (failed
  // authentications: an unauthenticated client must not make the server wait for it).
  static void note(AuditEvent event, bool durable = true);
  static void install(AuditLog* log) noexcept;
  [[nodiscard]] static AuditLog* current() noexcept;

 private:
  void writerLoop();
  void writeBatch(std::deque<AuditEvent>& batch);
  void append(const AuditEvent& event);
  void flushBuffer();
  void sync();
  void rotate();
  void openActive();
  void recoverChain();

  AuditSettings settings_;
  int fd_ = -1;
  std::size_t fileSize_ = 0;
  unsigned rotatedCount_ = 0;  // the highest NNNNNN of path.NNNNNN
  bool tornTail_ = false;      // the file ended inside a line (a crash mid-write)
  std::uint64_t seq_ = 0;      // the last line's sequence number (writer thread)
  std::string prev_;           // the last line's hash (writer thread)
  std::string buffer_;         // lines written by the next write(2) (writer thread)
  bool dirty_ = false;         // written since the last sync (writer thread)

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the writer: events queued, or stop
  std::condition_variable notFull_;  // producers: the queue has room
  std::condition_variable durable_;  // waiters: durableTicket_ moved, or failed_
  std::deque<AuditEvent> queue_;
  std::uint64_t submitted_ = 0;
  std::uint64_t durableTicket_ = 0;
  std::uint64_t writtenSeq_ = 0;
  bool writerIdle_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  bool failed_ = false;
  // failed_ for healthy(), read by every request without taking the mutex.
  std::atomic<bool> broken_{false};
  std::thread writer_;
};

}  // namespace kms::audit
