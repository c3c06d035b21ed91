#pragma once
// Serves keep-alive connections on few threads. A connection waiting for its next request holds
// no thread: it sleeps in epoll (one-shot, so one thread at a time serves it). The threads that
// take ready connections are about as many as the cores, so that under load a thread that has
// answered takes the next ready connection without sleeping; a thread per connection woke a
// thread for every request (docs/benchmarks.md: context switches per request).
// Handlers may still block (an HSM or database call, a client sending slowly): a monitor counts
// a thread that has served one connection for longer than `blockedAfter` as blocked and wakes a
// spare thread in its place, up to `maxThreads`; once it is back, a thread beyond the running
// target becomes a spare again. Go's scheduler hands its processors off the same way when a
// thread blocks in a system call.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace kms::http {

class EventLoop {
 public:
  class Connection {
   public:
    enum class Next { Wait, Close };

    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&&) = delete;
    Connection& operator=(Connection&&) = delete;
    virtual ~Connection() = default;  // closes the connection

    // Serves what has arrived (it may block while a request is incomplete). Wait: sleep until
    // readable again. Once `stopping` is set, answer the request in hand and return Close.
    virtual Next serveReady(const std::atomic<bool>& stopping) = 0;
    [[nodiscard]] virtual int descriptor() const = 0;
  };

  struct Options {
    unsigned maxThreads = 64;
    unsigned runningThreads = 0;  // threads serving at once when none blocks; 0: one per core, at least 2
    std::chrono::milliseconds idleTimeout{30'000};
    std::chrono::microseconds blockedAfter{1'000};
  };

  explicit EventLoop(const Options& options);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  EventLoop(EventLoop&&) = delete;
  EventLoop& operator=(EventLoop&&) = delete;

  void start();
  // Serves `connection` once readable; after stop(), closes it at once.
  void add(std::shared_ptr<Connection> connection);
  // Closes the waiting connections, lets those being served answer their request, and joins
  // every thread. Idempotent.
  void stop();

  [[nodiscard]] std::size_t connections() const;
  [[nodiscard]] unsigned threads() const;
  [[nodiscard]] unsigned runningTarget() const noexcept { return target_; }
  [[nodiscard]] unsigned maxThreads() const noexcept { return options_.maxThreads; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::shared_ptr<Connection> connection;
    bool busy = false;
    Clock::time_point since;  // waiting since, when not busy
  };
  struct Worker {
    std::thread thread;
    std::atomic<Clock::rep> busySince{0};  // 0: not serving
  };

  void work(Worker& self);
  void serve(std::uint64_t id, Worker& self);
  bool arm(int descriptor, std::uint64_t id, int operation) const;
  // After a request: a thread beyond the running target (its blocked peers not counted) waits
  // as a spare. False when the loop stops meanwhile.
  bool keepRunning();
  void monitor();
  [[nodiscard]] unsigned blockedLocked(Clock::rep now) const;
  void startWorkerLocked();
  void closeIdle();

  const Options options_;
  const unsigned target_;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd, readable once stopping: every epoll_wait returns
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  mutable std::mutex connectionsMutex_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t nextId_ = 1;  // 0 is the eventfd

  mutable std::mutex threadsMutex_;
  std::condition_variable spareWake_;
  std::condition_variable monitorWake_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<unsigned> running_{0};  // threads not waiting as spares
  unsigned spares_ = 0;
  unsigned spareTokens_ = 0;  // spares woken, not yet running
  std::thread monitor_;
};

}  // namespace kms::http
