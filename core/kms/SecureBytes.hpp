#pragma once
// A byte vector whose memory is wiped before it is released. It is the type of every TTLV byte
// string and of key material and plaintexts in software, so that a key passing through a
// request (decode, format conversion, wrapping, encode) leaves no copy behind in freed heap
// memory, where a later core dump, swap or memory disclosure could find it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kms {

// Overwrites `size` bytes with zeros in a way the compiler may not elide as a dead store.
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

using SecureBytes = std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>>;

// Comparison with a plain byte vector (test data, constants). Not constant-time: secrets are
// compared with keys::ConstantTime.
inline bool operator==(const SecureBytes& left, const std::vector<std::uint8_t>& right) noexcept {
  return std::equal(left.begin(), left.end(), right.begin(), right.end());
}

}  // namespace kms
