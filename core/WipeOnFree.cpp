// Replaces the global operator new/delete of kmsd (this file is linked into the executable
// only): every block C++ code frees is wiped first. Key material is held in wiped-on-release
// buffers by design (kms::SecureBytes), but strings and vectors of libraries and of our own
// code carry it too on the way (a JSON body's hex, Poco's request objects, a growing buffer's
// old storage); wiping every free closes those gaps at once, at the cost of a memset of what
// is freed. Sanitizer builds keep their own allocator, which must see matching new/delete.
#if !defined(__SANITIZE_ADDRESS__)

#include <malloc.h>

#include <cstdlib>
#include <new>

#include "kms/SecureBytes.hpp"

namespace {

void* allocate(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* data = std::malloc(size)) return data;  // NOLINT(cppcoreguidelines-no-malloc)
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocateAligned(std::size_t size, std::align_val_t alignment) {
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;
  for (;;) {
    if (void* data = std::aligned_alloc(align, rounded == 0 ? align : rounded)) return data;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void release(void* data) noexcept {
  if (data == nullptr) return;
  kms::secureZero(data, malloc_usable_size(data));
  std::free(data);  // NOLINT(cppcoreguidelines-no-malloc)
}

}  // namespace

// NOLINTBEGIN(misc-new-delete-overloads): the full set of replaceable forms, all routed above.
void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocateAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocateAligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t& /*tag*/) noexcept {
  try {
    return allocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* data) noexcept {
  release(data);
}
void operator delete[](void* data) noexcept {
  release(data);
}
void operator delete(void* data, std::size_t /*size*/) noexcept {
  release(data);
}
void operator delete[](void* data, std::size_t /*size*/) noexcept {
  release(data);
}
void operator delete(void* data, const std::nothrow_t& /*tag*/) noexcept {
  release(data);
}
void operator delete[](void* data, const std::nothrow_t& /*tag*/) noexcept {
  release(data);
}
void operator delete(void* data, std::align_val_t /*alignment*/) noexcept {
  release(data);
}
void operator delete[](void* data, std::align_val_t /*alignment*/) noexcept {
  release(data);
}
void operator delete(void* data, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  release(data);
}
void operator delete[](void* data, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
  release(data);
}
void operator delete(void* data, std::align_val_t /*alignment*/, const std::nothrow_t& /*tag*/) noexcept {
  release(data);
}
void operator delete[](void* data, std::align_val_t /*alignment*/, const std::nothrow_t& /*tag*/) noexcept {
  release(data);
}
// NOLINTEND(misc-new-delete-overloads)

#endif
