#pragma once
// A byte vector whose memory is wiped (OPENSSL_cleanse) before it is released, for key
// material and plaintexts.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kms::keys {

void secureZero(void* data, std::size_t size) noexcept;

template <class T>
struct ZeroizingAllocator {
  using value_type = T;
  ZeroizingAllocator() noexcept = default;
  template <class U>
  ZeroizingAllocator(const ZeroizingAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secureZero(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const ZeroizingAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};

using SecretBytes = std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>>;

}  // namespace kms::keys
