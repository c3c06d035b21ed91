#include "kms/http/EventLoop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace kms::http {
namespace {

// While no thread serves, nothing can block: the monitor looks less often.
constexpr auto kIdleMonitorPeriod = std::chrono::milliseconds(20);
constexpr auto kIdleSweepPeriod = std::chrono::seconds(1);
constexpr std::uint32_t kReadable = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;

unsigned targetFor(const EventLoop::Options& options) {
  unsigned target = options.runningThreads;
  if (target == 0) target = std::max(2U, std::thread::hardware_concurrency());
  return std::clamp(target, 1U, std::max(options.maxThreads, 1U));
}

[[noreturn]] void failSystem(const char* what) {
  throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

EventLoop::EventLoop(const Options& options) : options_(options), target_(targetFor(options)) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) failSystem("epoll_create1");
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_ < 0) {
    ::close(epoll_);
    failSystem("eventfd");
  }
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: once written, every waiting thread sees it
  event.data.u64 = 0;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event) != 0) {
    ::close(wake_);
    ::close(epoll_);
    failSystem("epoll_ctl");
  }
}

EventLoop::~EventLoop() {
  stop();
  ::close(wake_);
  ::close(epoll_);
}

void EventLoop::start() {
  const std::lock_guard lock(threadsMutex_);
  if (started_ || stopping_) return;
  started_ = true;
  for (unsigned i = 0; i < target_; ++i) startWorkerLocked();
  monitor_ = std::thread([this] { monitor(); });
}

void EventLoop::startWorkerLocked() {
  auto worker = std::make_unique<Worker>();
  Worker& self = *worker;
  ++running_;
  worker->thread = std::thread([this, &self] { work(self); });
  workers_.push_back(std::move(worker));
}

void EventLoop::add(std::shared_ptr<Connection> connection) {
  if (stopping_) return;  // the last reference goes: closed
  const int descriptor = connection->descriptor();
  std::uint64_t id = 0;
  {
    const std::lock_guard lock(connectionsMutex_);
    id = nextId_++;
    entries_.emplace(id, Entry{connection, false, Clock::now()});
  }
  // Outside the lock: if stop() took the entry meanwhile, `connection` still keeps the
  // descriptor open (no other connection can have its number) and its events find no entry.
  if (!arm(descriptor, id, EPOLL_CTL_ADD)) {
    const std::lock_guard lock(connectionsMutex_);
    entries_.erase(id);
  }
}

bool EventLoop::arm(int descriptor, std::uint64_t id, int operation) const {
  epoll_event event{};
  event.events = kReadable;
  event.data.u64 = id;
  return ::epoll_ctl(epoll_, operation, descriptor, &event) == 0;
}

void EventLoop::work(Worker& self) {
  for (;;) {
    epoll_event event{};
    const int ready = ::epoll_wait(epoll_, &event, 1, -1);
    if (ready < 0 && errno != EINTR) return;  // the epoll descriptor is gone: nothing left to do
    if (ready != 1) continue;
    if (event.data.u64 == 0) return;  // stopping
    serve(event.data.u64, self);
    if (!keepRunning()) return;
  }
}

void EventLoop::serve(std::uint64_t id, Worker& self) {
  std::shared_ptr<Connection> connection;
  {
    const std::lock_guard lock(connectionsMutex_);
    const auto found = entries_.find(id);
    if (found == entries_.end() || found->second.busy) return;  // closed meanwhile
    found->second.busy = true;
    connection = found->second.connection;
  }
  self.busySince = Clock::now().time_since_epoch().count();
  auto next = Connection::Next::Close;
  try {
    next = connection->serveReady(stopping_);
  } catch (...) {
    // A connection reports its own failures; one that escapes still only closes it.
  }
  self.busySince = 0;
  bool wait = false;
  {
    const std::lock_guard lock(connectionsMutex_);
    const auto found = entries_.find(id);
    if (found != entries_.end()) {
      wait = next == Connection::Next::Wait && !stopping_;
      if (wait) {
        found->second.busy = false;
        found->second.since = Clock::now();
      } else {
        entries_.erase(found);
      }
    }
  }
  // Re-armed only once marked waiting, or an event arriving in between would find it busy and
  // be lost; `connection` keeps the descriptor open if the idle sweep closes it meanwhile.
  if (wait && !arm(connection->descriptor(), id, EPOLL_CTL_MOD)) {
    const std::lock_guard lock(connectionsMutex_);
    entries_.erase(id);
  }
}  // the last reference to a closed connection goes here, outside the locks

bool EventLoop::keepRunning() {
  if (running_ <= target_ && !stopping_) return true;
  std::unique_lock lock(threadsMutex_);
  if (stopping_) return false;
  const unsigned blocked = blockedLocked(Clock::now().time_since_epoch().count());
  if (running_ <= target_ + blocked) return true;
  --running_;
  ++spares_;
  spareWake_.wait(lock, [this] { return spareTokens_ > 0 || stopping_; });
  --spares_;
  if (stopping_) return false;
  --spareTokens_;
  return true;  // the waker counted it running again
}

unsigned EventLoop::blockedLocked(Clock::rep now) const {
  const auto after = std::chrono::duration_cast<Clock::duration>(options_.blockedAfter).count();
  unsigned blocked = 0;
  for (const auto& worker : workers_) {
    const Clock::rep since = worker->busySince;
    if (since != 0 && now - since > after) ++blocked;
  }
  return blocked;
}

void EventLoop::monitor() {
  auto sweptAt = Clock::now();
  std::unique_lock lock(threadsMutex_);
  while (!stopping_) {
    const bool serving =
        std::any_of(workers_.begin(), workers_.end(), [](const auto& worker) { return worker->busySince != 0; });
    const Clock::duration period =
        serving ? std::chrono::duration_cast<Clock::duration>(options_.blockedAfter) : kIdleMonitorPeriod;
    monitorWake_.wait_for(lock, period, [this] { return stopping_.load(); });
    if (stopping_) break;
    const unsigned blocked = blockedLocked(Clock::now().time_since_epoch().count());
    const unsigned running = running_;
    const unsigned unblocked = running > blocked ? running - blocked : 0;
    unsigned wanted = unblocked < target_ ? target_ - unblocked : 0;
    // Spares first (already woken ones count), then new threads up to the limit.
    const unsigned available = spares_ - std::min(spares_, spareTokens_);
    const unsigned woken = std::min(wanted, available);
    for (unsigned i = 0; i < woken; ++i) {
      ++spareTokens_;
      ++running_;
      spareWake_.notify_one();
    }
    wanted -= woken;
    while (wanted > 0 && workers_.size() < options_.maxThreads) {
      startWorkerLocked();
      --wanted;
    }
    if (Clock::now() - sweptAt >= kIdleSweepPeriod) {
      sweptAt = Clock::now();
      lock.unlock();
      closeIdle();
      lock.lock();
    }
  }
}

void EventLoop::closeIdle() {
  std::vector<std::shared_ptr<Connection>> expired;
  const auto now = Clock::now();
  {
    const std::lock_guard lock(connectionsMutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (!it->second.busy && now - it->second.since > options_.idleTimeout) {
        expired.push_back(std::move(it->second.connection));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
}  // closed here, outside the lock

void EventLoop::stop() {
  std::vector<std::shared_ptr<Connection>> waiting;
  {
    const std::lock_guard lock(threadsMutex_);
    if (stopping_.exchange(true)) return;
  }
  {
    const std::lock_guard lock(connectionsMutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (!it->second.busy) {
        waiting.push_back(std::move(it->second.connection));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  waiting.clear();
  const std::uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
  spareWake_.notify_all();
  monitorWake_.notify_all();
  if (monitor_.joinable()) monitor_.join();
  std::vector<std::unique_ptr<Worker>> workers;
  {
    const std::lock_guard lock(threadsMutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  const std::lock_guard lock(connectionsMutex_);
  entries_.clear();
}

std::size_t EventLoop::connections() const {
  const std::lock_guard lock(connectionsMutex_);
  return entries_.size();
}

unsigned EventLoop::threads() const {
  const std::lock_guard lock(threadsMutex_);
  return static_cast<unsigned>(workers_.size());
}

}  // namespace kms::http
