#pragma once
// Key bytes that stay in memory for a long time (the unwrapped-key cache) are allocated from
// OpenSSL's secure heap when SecureHeap::lock() set it up: pages locked in RAM (never swapped)
// and excluded from core dumps. When the secure heap is absent or full they fall back to the
// ordinary heap; either way they are wiped on release.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kms::keys {

void* lockedAllocate(std::size_t size);
void lockedDeallocate(void* data, std::size_t size) noexcept;

template <class T>
struct LockedAllocator {
  using value_type = T;
  LockedAllocator() noexcept = default;
  template <class U>
  LockedAllocator(const LockedAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(lockedAllocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { lockedDeallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const LockedAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

using LockedBytes = std::vector<std::uint8_t, LockedAllocator<std::uint8_t>>;

}  // namespace kms::keys
