#pragma once
// The bound on driver calls that run on their caller's thread (DriverInstance with
// InstanceConfig::inlineCalls). Handing every call to a worker thread and back costs a futex
// wake and two context switches, which was ~40% of the CPU of an HSM encryption; running it
// inline costs nothing, but the caller can no longer stop waiting: a call that entered the
// driver returns when the HSM answers, however long that takes.
//
// So this class gives the two things the worker pool gave:
// - at most `slots` calls at once in the HSM per instance (a caller waits for a free slot at
//   most `timeout`, then gets Unavailable);
// - hang detection: each slot holds the start time of its call, and a call still running after
//   `timeout` is overdue. While one is, the HSM is presumed hung and enter() sends callers back
//   to the pool, whose timeout answers them Unavailable instead of piling them up behind the
//   hung call. Once the overdue calls return, calls go inline again.
//
// The fast path (a slot is free, none is overdue) is a scan of a few atomics and one
// compare-and-swap: no lock, no system call. Only a caller that finds every slot busy takes the
// mutex and sleeps in a queue; see enter() for who gets a freed slot.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kms::hsm {

class InlineCalls {
 public:
  using Clock = std::chrono::steady_clock;

  // One call holding a slot: the slot is free again when it is destroyed.
  class Call {
   public:
    Call(Call&& other) noexcept;
    Call& operator=(Call&&) = delete;
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    ~Call();

   private:
    friend class InlineCalls;
    Call(InlineCalls& owner, std::size_t index) noexcept : owner_(&owner), index_(index) {}

    InlineCalls* owner_;
    std::size_t index_;
  };

  // `name` ("hsm::softhsm2_1") prefixes the messages; `slots` 0 counts as 1.
  InlineCalls(std::string name, unsigned slots, std::chrono::milliseconds timeout);
  ~InlineCalls();  // drain(): the slots' memory must outlive the calls that release them

  InlineCalls(const InlineCalls&) = delete;
  InlineCalls& operator=(const InlineCalls&) = delete;

  // A slot for `operation` on HSM slot `hsmSlot`, to run on the caller's thread; nullopt when a
  // call is overdue (the caller uses the pool instead). Throws kms::Exception(Unavailable) when
  // every slot stays busy for the timeout.
  [[nodiscard]] std::optional<Call> enter(std::string_view operation, std::uint64_t hsmSlot);

  // A call started more than the timeout ago still runs. Lock-free.
  [[nodiscard]] bool overdue() const noexcept;
  // Slots in use now (for tests and metrics; stale as soon as it returns).
  [[nodiscard]] unsigned running() const noexcept;
  [[nodiscard]] unsigned capacity() const noexcept { return static_cast<unsigned>(slots_.size()); }
  [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return timeout_; }

  // Waits until no caller is inside enter() or holds a slot. Callers must not start new calls
  // meanwhile (a shutting-down instance has no callers left); it waits as long as the HSM does.
  void drain() const noexcept;

 private:
  // Cache-line sized so that callers claiming neighbouring slots do not share a line.
  struct alignas(64) Slot {
    std::atomic<std::int64_t> start{0};  // steady_clock ticks of the call's start; 0 = free
  };

  [[nodiscard]] static std::int64_t now() noexcept;
  [[nodiscard]] std::optional<std::size_t> claim() noexcept;
  std::size_t waitForSlot(std::string_view operation, std::uint64_t hsmSlot);
  void release(std::size_t index) noexcept;

  std::string name_;
  std::chrono::milliseconds timeout_;
  std::vector<Slot> slots_;
  // Callers inside enter() or holding a slot; the last thing a caller touches, so that drain()
  // can tell when the object may go.
  std::atomic<unsigned> active_{0};
  // A caller sleeping for a slot, in arrival order in queue_; only the first one is woken.
  struct Waiter {
    std::condition_variable wake;
  };
  // Callers waiting for a slot: release() takes the mutex to wake one only when there are.
  std::atomic<unsigned> waiters_{0};
  std::mutex mutex_;
  std::deque<Waiter*> queue_;  // guarded by mutex_
};

}  // namespace kms::hsm
