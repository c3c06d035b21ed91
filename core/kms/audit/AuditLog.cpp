#include "kms/audit/AuditLog.hpp"

#include <Poco/Logger.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "kms/audit/AuditError.hpp"
#include "kms/audit/Digest.hpp"
#include "kms/audit/LineFormat.hpp"

namespace kms::audit {
namespace {

std::atomic<AuditLog*> installed{nullptr};

// Interval policy: how long the writer sleeps between batches (what a line may wait in memory
// before its write(2); its fdatasync waits for the flush interval).
constexpr std::chrono::milliseconds kCoalesce{5};

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.audit");
  return instance;
}

std::string errnoText(int error) {
  return std::system_category().message(error);
}

// path.000042 -> 42; 0 for any other name.
unsigned rotationNumber(const std::string& base, const std::string& name) {
  if (name.size() != base.size() + 7 || !name.starts_with(base) || name[base.size()] != '.') return 0;
  unsigned number = 0;
  const char* begin = name.data() + base.size() + 1;
  const auto [ptr, error] = std::from_chars(begin, name.data() + name.size(), number);
  return error == std::errc() && ptr == name.data() + name.size() ? number : 0;
}

std::string rotatedName(const std::string& path, unsigned number) {
  return fmt::format("{}.{:06}", path, number);
}

struct Tail {
  std::string lastLine;  // empty: the file holds no complete line
  bool torn = false;     // bytes after the last newline
  std::size_t size = 0;
};

// The last complete line of a file (lines are a few hundred bytes; 1 MiB is ample).
Tail readTail(const std::string& path) {
  Tail tail;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return tail;
    throw AuditError(fmt::format("cannot read audit log '{}': {}", path, errnoText(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    throw AuditError(fmt::format("cannot read audit log '{}': {}", path, errnoText(error)));
  }
  tail.size = static_cast<std::size_t>(info.st_size);
  const std::size_t want = std::min<std::size_t>(tail.size, std::size_t{1} << 20);
  std::string bytes(want, '\0');
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd, bytes.data() + got, want - got, static_cast<off_t>(tail.size - want + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  const auto lastNewline = bytes.rfind('\n');
  tail.torn = !bytes.empty() && bytes.back() != '\n';
  if (lastNewline == std::string::npos) {
    if (tail.size > want) throw AuditError(fmt::format("audit log '{}' ends with an over-long line", path));
    return tail;
  }
  const auto start = lastNewline == 0 ? std::string::npos : bytes.rfind('\n', lastNewline - 1);
  const std::size_t from = start == std::string::npos ? 0 : start + 1;
  if (start == std::string::npos && tail.size > want) {
    throw AuditError(fmt::format("audit log '{}' ends with an over-long line", path));
  }
  tail.lastLine = bytes.substr(from, lastNewline - from);
  return tail;
}

void writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw AuditError(fmt::format("cannot write the audit log: {}", errnoText(errno)));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void syncDirectory(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the rename is done, its durability is the directory's
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AuditLog::AuditLog(AuditSettings settings) : settings_(std::move(settings)), prev_(Digest::zero()) {
  if (settings_.path.empty()) throw AuditError("audit_log_file is empty");
  if (!settings_.hmacKey.empty() && settings_.hmacKey.size() < 16) {
    throw AuditError("the audit HMAC key is shorter than 16 bytes");
  }
  recoverChain();
  openActive();
  if (settings_.syslog) ::openlog("kmsd-audit", LOG_NDELAY | LOG_PID, LOG_AUTHPRIV);
  writtenSeq_ = seq_;
  writer_ = std::thread([this] { writerLoop(); });
}

AuditLog::~AuditLog() {
  stop();
  if (fd_ >= 0) ::close(fd_);
  if (settings_.syslog) ::closelog();
}

void AuditLog::recoverChain() {
  const std::filesystem::path active(settings_.path);
  auto dir = active.parent_path();
  const std::string base = active.filename().string();
  std::error_code error;
  if (!dir.empty()) std::filesystem::create_directories(dir, error);
  for (const auto& entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, error)) {
    rotatedCount_ = std::max(rotatedCount_, rotationNumber(base, entry.path().filename().string()));
  }
  Tail tail = readTail(settings_.path);
  std::string source = settings_.path;
  // Rotated, then stopped before the new file's first line: the chain goes on from the last
  // rotated file.
  if (tail.lastLine.empty() && !tail.torn && rotatedCount_ > 0) {
    source = rotatedName(settings_.path, rotatedCount_);
    tail = readTail(source);
    tail.torn = false;  // that file is closed; a torn line there stays for verify to report
    tail.size = 0;      // the active file is the one written to
  }
  tornTail_ = tail.torn;
  if (tail.lastLine.empty()) return;  // a new chain
  const auto seq = LineFormat::sequenceOf(tail.lastLine);
  if (!seq) {
    throw AuditError(fmt::format(
        "the last line of audit log '{}' is not an audit line: kmsd will not start a new chain over it (check it "
        "with `kmsd audit verify`, then move it aside)",
        source));
  }
  seq_ = *seq;
  prev_ = Digest::sha256(tail.lastLine);
}

void AuditLog::openActive() {
  fd_ = ::open(settings_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw AuditError(fmt::format("cannot open audit log '{}': {}", settings_.path, errnoText(errno)));
  }
  struct stat info {};
  fileSize_ = ::fstat(fd_, &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
}

std::uint64_t AuditLog::submit(AuditEvent event) {
  std::unique_lock lock(mutex_);
  notFull_.wait(lock, [this] { return queue_.size() < settings_.queueCapacity || failed_ || stopping_; });
  if (failed_) throw AuditError("the audit log cannot be written");
  if (stopping_) throw AuditError("the audit log is stopped");
  queue_.push_back(std::move(event));
  const std::uint64_t ticket = ++submitted_;
  // Waking the writer costs a futex call and a context switch: only when it sleeps (otherwise
  // it takes this event with the batch it is about to swap), and under the interval policy only
  // when the queue fills up: the writer then wakes by itself every kCoalesce and takes
  // everything at once, so the request threads pay for no wake-up at all.
  const bool wake = settings_.flush == FlushPolicy::Event || queue_.size() >= settings_.queueCapacity / 2;
  if (writerIdle_ && wake) {
    writerIdle_ = false;
    wake_.notify_one();
  }
  return ticket;
}

void AuditLog::await(std::uint64_t ticket) {
  if (settings_.flush != FlushPolicy::Event) return;
  std::unique_lock lock(mutex_);
  durable_.wait(lock, [&] { return durableTicket_ >= ticket || failed_; });
  if (durableTicket_ < ticket) throw AuditError("the audit log cannot be written");
}

bool AuditLog::healthy() const {
  return !broken_.load(std::memory_order_relaxed);
}

std::uint64_t AuditLog::lastSequence() const {
  const std::lock_guard lock(mutex_);
  return writtenSeq_;
}

void AuditLog::stop() {
  {
    const std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    wake_.notify_one();
    notFull_.notify_all();
  }
  if (writer_.joinable()) writer_.join();
}

void AuditLog::writerLoop() {
  std::deque<AuditEvent> batch;
  auto lastSync = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_ || failed_) break;
      writerIdle_ = true;
      if (settings_.flush == FlushPolicy::Interval) {
        wake_.wait_for(lock, kCoalesce);
      } else {
        wake_.wait(lock);
      }
      writerIdle_ = false;
      if (queue_.empty() && dirty_ && std::chrono::steady_clock::now() >= lastSync + settings_.flushInterval) {
        lock.unlock();
        try {
          sync();
        } catch (const AuditError& error) {
          logger().error(error.what());
          lock.lock();
          failed_ = true;
          broken_.store(true);
          break;
        }
        lastSync = std::chrono::steady_clock::now();
        lock.lock();
      }
      continue;
    }
    batch.swap(queue_);
    const std::uint64_t upTo = submitted_;
    notFull_.notify_all();
    lock.unlock();
    bool ok = true;
    try {
      writeBatch(batch);
      if (settings_.flush == FlushPolicy::Event ||
          std::chrono::steady_clock::now() >= lastSync + settings_.flushInterval) {
        sync();
        lastSync = std::chrono::steady_clock::now();
      }
    } catch (const AuditError& error) {
      logger().error(fmt::format("{}: KMIP operations are refused from now on", error.what()));
      ok = false;
    }
    batch.clear();
    lock.lock();
    writtenSeq_ = seq_;
    if (ok) {
      durableTicket_ = upTo;
    } else {
      failed_ = true;
      broken_.store(true);
    }
    durable_.notify_all();
    notFull_.notify_all();
    if (failed_) break;
  }
  // Stopping (or failed): what was written is synced; waiters are released either way.
  const bool failed = failed_;
  lock.unlock();
  if (!failed) {
    try {
      sync();
    } catch (const AuditError& error) {
      logger().error(error.what());
    }
  }
  lock.lock();
  durable_.notify_all();
}

void AuditLog::writeBatch(std::deque<AuditEvent>& batch) {
  if (tornTail_) {
    // The last write before a crash stopped inside a line: end it, so that the chain goes on
    // on a line of its own (verify reports the torn line: it is evidence, not to be erased).
    buffer_.push_back('\n');
    tornTail_ = false;
  }
  for (const auto& event : batch) append(event);
  flushBuffer();
}

void AuditLog::append(const AuditEvent& event) {
  std::string line = LineFormat::render(seq_ + 1, event, prev_, settings_.hmacKey);
  if (settings_.rotateSize != 0 && fileSize_ + buffer_.size() > 0 &&
      fileSize_ + buffer_.size() + line.size() + 1 > settings_.rotateSize) {
    rotate();
    line = LineFormat::render(seq_ + 1, event, prev_, settings_.hmacKey);  // after the rotation line
  }
  ++seq_;
  prev_ = Digest::sha256(line);
  if (settings_.syslog) ::syslog(LOG_INFO, "%s", line.c_str());
  buffer_.append(line).push_back('\n');
}

void AuditLog::flushBuffer() {
  if (buffer_.empty()) return;
  writeAll(fd_, buffer_);
  fileSize_ += buffer_.size();
  buffer_.clear();
  dirty_ = true;
}

void AuditLog::sync() {
  if (!dirty_) return;
  if (::fdatasync(fd_) != 0) throw AuditError(fmt::format("cannot sync the audit log: {}", errnoText(errno)));
  dirty_ = false;
}

void AuditLog::rotate() {
  flushBuffer();
  sync();
  const std::string target = rotatedName(settings_.path, rotatedCount_ + 1);
  if (::rename(settings_.path.c_str(), target.c_str()) != 0) {
    throw AuditError(fmt::format("cannot rotate the audit log to '{}': {}", target, errnoText(errno)));
  }
  ++rotatedCount_;
  ::close(fd_);
  fd_ = -1;
  openActive();
  syncDirectory(settings_.path);
  // The new file's first line says which file came before: `verify` of the files in order
  // checks that this line's prev is the hash of that file's last line.
  AuditEvent marker;
  marker.type = "audit.rotate";
  marker.fields.emplace_back("previous_file", std::filesystem::path(target).filename().string());
  std::string line = LineFormat::render(seq_ + 1, marker, prev_, settings_.hmacKey);
  ++seq_;
  prev_ = Digest::sha256(line);
  if (settings_.syslog) ::syslog(LOG_INFO, "%s", line.c_str());
  buffer_.append(line).push_back('\n');
}

void AuditLog::note(AuditEvent event, bool durable) {
  auto* log = current();
  if (log == nullptr) return;
  const std::uint64_t ticket = log->submit(std::move(event));
  if (durable) log->await(ticket);
}

void AuditLog::install(AuditLog* log) noexcept {
  installed.store(log, std::memory_order_release);
}

AuditLog* AuditLog::current() noexcept {
  return installed.load(std::memory_order_acquire);
}

}  // namespace kms::audit
