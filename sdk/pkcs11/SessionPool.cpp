#include "kms/pkcs11/SessionPool.hpp"

#include <utility>

namespace kms::pkcs11 {

SessionPool::SessionPool(std::uint32_t size, Opener open, Closer close)
    : size_(size == 0 ? 1 : size), opener_(std::move(open)), closer_(std::move(close)) {}

SessionPool::~SessionPool() {
  closeAll();
}

SessionLease SessionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || openCount_ < size_; });
  if (!idle_.empty()) {
    const CK_SESSION_HANDLE handle = idle_.back();
    idle_.pop_back();
    return SessionLease(this, handle, generation_);
  }
  ++openCount_;
  const std::uint64_t generation = generation_;
  lock.unlock();  // opening and logging in may take a network round trip
  try {
    return SessionLease(this, opener_(), generation);
  } catch (...) {
    lock.lock();
    --openCount_;
    available_.notify_one();
    throw;
  }
}

void SessionPool::release(CK_SESSION_HANDLE handle, std::uint64_t generation, bool broken) noexcept {
  std::unique_lock lock(mutex_);
  if (!broken && generation == generation_) {
    idle_.push_back(handle);
  } else {
    --openCount_;
    lock.unlock();
    closer_(handle);
    lock.lock();
  }
  available_.notify_one();
}

void SessionPool::reset() {
  std::vector<CK_SESSION_HANDLE> stale;
  {
    const std::lock_guard lock(mutex_);
    ++generation_;
    stale.swap(idle_);
    openCount_ -= static_cast<std::uint32_t>(stale.size());
  }
  for (const auto handle : stale) closer_(handle);
  available_.notify_all();
}

void SessionPool::closeAll() {
  reset();
}

std::uint32_t SessionPool::openCount() const {
  const std::lock_guard lock(mutex_);
  return openCount_;
}

}  // namespace kms::pkcs11
