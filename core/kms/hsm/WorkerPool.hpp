#pragma once
// A bounded pool of threads per HSM instance, for the calls whose caller must be able to stop
// waiting. PKCS#11 calls block (network HSMs, smart cards): a caller submits the call and waits
// at most `timeout`. A full queue or a late answer is Unavailable, so that a stuck HSM costs the
// client a clear 503 instead of an HTTP thread. A call abandoned while still queued is skipped;
// one that already runs finishes in the background (its inputs are owned by the task, never
// borrowed).
//
// The hand-off costs two context switches per call, so DriverInstance runs most calls inline
// (InlineCalls) and uses the pool for slot probes, for every call while the HSM looks hung
// (an inline call is overdue), and for everything when InstanceConfig::inlineCalls is off.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace kms::hsm {

class WorkerPool {
 public:
  WorkerPool(std::string name, unsigned threads, std::size_t queueCapacity);
  ~WorkerPool();  // drops queued calls and joins: waits for the calls that are running

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs fn on a worker, returns its result or rethrows its exception. Throws
  // kms::Exception(Unavailable) when the queue is full or no answer came within timeout.
  template <class Fn>
  auto run(Fn fn, std::chrono::milliseconds timeout, std::string_view what) -> std::invoke_result_t<Fn&> {
    using Result = std::invoke_result_t<Fn&>;
    auto task = std::make_shared<std::packaged_task<Result()>>(std::move(fn));
    auto future = task->get_future();
    auto abandoned = std::make_shared<std::atomic<bool>>(false);
    submit(
        [task, abandoned] {
          if (!abandoned->load()) (*task)();
        },
        what);
    if (future.wait_for(timeout) != std::future_status::ready) {
      abandoned->store(true);
      throwTimeout(timeout, what);
    }
    return future.get();
  }

  [[nodiscard]] std::size_t queued() const;
  [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()); }

 private:
  void submit(std::function<void()> job, std::string_view what);
  [[noreturn]] void throwTimeout(std::chrono::milliseconds timeout, std::string_view what) const;
  void work();

  std::string name_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace kms::hsm
