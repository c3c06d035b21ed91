#include "kms/net/InflightBudget.hpp"

#include <malloc.h>

#include <algorithm>
#include <mutex>

#include "kms/Exception.hpp"

namespace kms::net {
namespace {

// Taken at once by every request: the decoded tree of a small message fits in it, so that a
// small request touches the shared counter only when it starts and when it ends.
constexpr std::size_t kFirstGrant = std::size_t{64} * 1024;

constexpr int kMmapThreshold = 256 * 1024;
constexpr int kTrimThreshold = 1024 * 1024;

}  // namespace

void InflightBudget::configureAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)::mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
    (void)::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  });
}

InflightBudget::Reservation::~Reservation() {
  if (budget_ == nullptr || held_ == 0) return;
  budget_->give(held_);
  if (held_ >= kTrimAfter) budget_->trim();
}

void InflightBudget::Reservation::requireBody(std::size_t bytes) {
  body_ = std::max(body_, bytes);
  hold(body_ + std::max(tree_, kFirstGrant));
}

void InflightBudget::Reservation::require(std::size_t treeBytes) {
  tree_ = std::max(tree_, treeBytes);
  hold(body_ + std::max(tree_, kFirstGrant));
}

void InflightBudget::Reservation::hold(std::size_t total) {
  if (budget_ == nullptr || total <= held_) return;
  if (!budget_->take(total - held_)) {
    throw Exception(ErrorCode::Unavailable,
                    "the server is busy: requests in flight hold the memory allowed for them; retry later");
  }
  held_ = total;
}

bool InflightBudget::take(std::size_t bytes) noexcept {
  std::size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (bytes > limit_ || used > limit_ - bytes) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void InflightBudget::give(std::size_t bytes) noexcept {
  used_.fetch_sub(bytes, std::memory_order_relaxed);
}

void InflightBudget::trim() {
  // One trim at a time (it walks every arena); a request that ends while one runs has it run
  // once more, for what it freed after the running one passed.
  trimAgain_.store(true);
  const std::unique_lock lock(trimMutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  while (trimAgain_.exchange(false)) (void)::malloc_trim(0);
}

}  // namespace kms::net
