#include "kms/hsm/InlineCalls.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "kms/Exception.hpp"

namespace kms::hsm {

InlineCalls::Call::Call(Call&& other) noexcept : owner_(other.owner_), index_(other.index_) {
  other.owner_ = nullptr;
}

InlineCalls::Call::~Call() {
  if (owner_ != nullptr) owner_->release(index_);
}

InlineCalls::InlineCalls(std::string name, unsigned slots, std::chrono::milliseconds timeout)
    : name_(std::move(name)), timeout_(timeout), slots_(std::max(slots, 1U)) {}

InlineCalls::~InlineCalls() {
  drain();
}

std::int64_t InlineCalls::now() noexcept {
  // 0 marks a free slot: a clock that reads 0 (it never does on Linux) still marks a busy one.
  return std::max<std::int64_t>(Clock::now().time_since_epoch().count(), 1);
}

std::optional<InlineCalls::Call> InlineCalls::enter(std::string_view operation, std::uint64_t hsmSlot) {
  ++active_;
  struct Leave {
    std::atomic<unsigned>& active;
    bool keep = false;
    ~Leave() {
      if (!keep) --active;
    }
  } leave{active_};
  // Checked before claiming, not while waiting: a caller already queued for a slot is bounded
  // by the timeout anyway, and one that arrives after a call went overdue should fail fast.
  if (overdue()) return std::nullopt;
  // A free slot is taken even when callers wait (they are woken one at a time, in arrival
  // order). Handing every freed slot to a sleeping caller instead (strict arrival order) cost
  // 40-50% of the throughput of HSM encryption at 32 and 128 connections on a 2-core machine,
  // for a better p99 (docs/benchmarks.md); a waiter still gets Unavailable after the timeout.
  auto index = claim();
  if (!index) index = waitForSlot(operation, hsmSlot);
  leave.keep = true;  // release() leaves
  return Call(*this, *index);
}

bool InlineCalls::overdue() const noexcept {
  const std::int64_t limit = std::chrono::duration_cast<Clock::duration>(timeout_).count();
  const std::int64_t at = now();
  return std::any_of(slots_.begin(), slots_.end(), [&](const Slot& slot) {
    const std::int64_t start = slot.start.load();
    return start != 0 && at - start > limit;
  });
}

unsigned InlineCalls::running() const noexcept {
  return static_cast<unsigned>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& slot) { return slot.start.load() != 0; }));
}

void InlineCalls::drain() const noexcept {
  // Polling: it only runs at shutdown, and a notification would have to touch this object after
  // the last caller's final access to it, which is exactly what must not happen.
  while (active_.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::optional<std::size_t> InlineCalls::claim() noexcept {
  const std::int64_t start = now();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    std::int64_t free = 0;
    if (slots_[i].start.load() == 0 && slots_[i].start.compare_exchange_strong(free, start)) return i;
  }
  return std::nullopt;
}

std::size_t InlineCalls::waitForSlot(std::string_view operation, std::uint64_t hsmSlot) {
  const auto deadline = Clock::now() + timeout_;
  std::unique_lock lock(mutex_);
  Waiter self;
  queue_.push_back(&self);
  // Announced before claiming: release() frees its slot and then reads waiters_ (both
  // sequentially consistent), so either a claim below sees the free slot or release() wakes
  // the first waiter, under the mutex this caller holds until it sleeps.
  ++waiters_;
  struct Leave {
    InlineCalls& calls;
    Waiter* self;
    ~Leave() {
      std::erase(calls.queue_, self);
      --calls.waiters_;
      // Two slots freed while this caller was first woke it alone: the next one takes the other.
      if (!calls.queue_.empty() && calls.running() < calls.capacity()) calls.queue_.front()->wake.notify_one();
    }
  } leave{*this, &self};
  for (;;) {
    if (queue_.front() == &self) {
      if (auto index = claim()) return *index;
    }
    if (self.wake.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (auto index = claim()) return *index;
      throw Exception(ErrorCode::Unavailable,
                      fmt::format("{}: all {} HSM call slots stayed busy for {} ms ({} on slot {})", name_,
                                  slots_.size(), timeout_.count(), operation, hsmSlot));
    }
  }
}

void InlineCalls::release(std::size_t index) noexcept {
  slots_[index].start.store(0);
  if (waiters_.load() != 0) {
    // One waiter, the first: waking them all would have every one of them fight for one slot.
    const std::lock_guard lock(mutex_);
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  --active_;  // last: drain() may destroy this object from here on
}

}  // namespace kms::hsm
