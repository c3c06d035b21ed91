#include "kms/keys/SecureHeap.hpp"

#include <malloc.h>
#include <openssl/crypto.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "kms/SecureBytes.hpp"
#include "kms/keys/LockedBytes.hpp"

namespace kms::keys {
namespace {

// OpenSSL does not tell free() the size; glibc knows it.
void* opensslMalloc(std::size_t size, const char* /*file*/, int /*line*/) {
  return std::malloc(size);  // NOLINT(cppcoreguidelines-no-malloc): OpenSSL's allocator contract
}

void* opensslRealloc(void* data, std::size_t size, const char* /*file*/, int /*line*/) {
  // A moving realloc would leave the old block unwiped: allocate, copy, wipe, free instead.
  if (data == nullptr) return std::malloc(size);  // NOLINT(cppcoreguidelines-no-malloc)
  const std::size_t old = malloc_usable_size(data);
  if (size <= old) return data;
  void* grown = std::malloc(size);  // NOLINT(cppcoreguidelines-no-malloc)
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, data, old);
  kms::secureZero(data, old);
  std::free(data);  // NOLINT(cppcoreguidelines-no-malloc)
  return grown;
}

void opensslFree(void* data, const char* /*file*/, int /*line*/) {
  if (data == nullptr) return;
  kms::secureZero(data, malloc_usable_size(data));
  std::free(data);  // NOLINT(cppcoreguidelines-no-malloc)
}

}  // namespace

bool SecureHeap::wipeOpenSslFrees() noexcept {
  return CRYPTO_set_mem_functions(opensslMalloc, opensslRealloc, opensslFree) == 1;
}

SecureHeap::Status SecureHeap::lock(std::size_t bytes) {
  if (bytes == 0) return {false, "secure_heap_size is 0"};
  if (CRYPTO_secure_malloc_initialized() == 1) return {true, {}};
  // minsize 16: an AES-128 key takes one block, an AES-256 key two.
  switch (CRYPTO_secure_malloc_init(bytes, 16)) {
    case 1:
      return {true, {}};
    case 2:
      return {false, fmt::format("the {} byte secure heap could not be locked in memory (mlock refused: raise "
                                 "LimitMEMLOCK / ulimit -l); cached keys may be swapped out",
                                 bytes)};
    default:
      return {false, fmt::format("no {} byte secure heap (not a power of two, or mmap refused); cached keys live "
                                 "in ordinary memory",
                                 bytes)};
  }
}

void* lockedAllocate(std::size_t size) {
  if (CRYPTO_secure_malloc_initialized() == 1) {
    // NULL file and line: a full heap must not leave an error on OpenSSL's queue.
    if (void* data = CRYPTO_secure_malloc(size, nullptr, 0)) return data;
  }
  return ::operator new(size);
}

void lockedDeallocate(void* data, std::size_t size) noexcept {
  if (data == nullptr) return;
  if (CRYPTO_secure_allocated(data) == 1) {
    CRYPTO_secure_clear_free(data, size, nullptr, 0);
    return;
  }
  kms::secureZero(data, size);
  ::operator delete(data);
}

}  // namespace kms::keys
