#include "kms/store/sqlite/SqliteMemory.hpp"

#include <malloc.h>
#include <sqlite3.h>

#include <cstdlib>
#include <cstring>

#include "kms/SecureBytes.hpp"

namespace kms::store::sqlite {
namespace {

// NOLINTBEGIN(cppcoreguidelines-no-malloc): SQLite's allocator contract is malloc-shaped.
void* wipingMalloc(int size) {
  return std::malloc(static_cast<std::size_t>(size));
}

void wipingFree(void* data) {
  if (data == nullptr) return;
  kms::secureZero(data, malloc_usable_size(data));
  std::free(data);
}

// Never moves in place: the old block is wiped before it is released.
void* wipingRealloc(void* data, int size) {
  if (data == nullptr) return wipingMalloc(size);
  const std::size_t old = malloc_usable_size(data);
  if (static_cast<std::size_t>(size) <= old) return data;
  void* grown = std::malloc(static_cast<std::size_t>(size));
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, data, old);
  wipingFree(data);
  return grown;
}
// NOLINTEND(cppcoreguidelines-no-malloc)

int sizeOf(void* data) {
  return static_cast<int>(malloc_usable_size(data));
}

int roundUp(int size) {
  return (size + 7) & ~7;
}

int initialise(void* /*unused*/) {
  return SQLITE_OK;
}

void shutdown(void* /*unused*/) {}

}  // namespace

bool SqliteMemory::wipeOnFree() noexcept {
  static const sqlite3_mem_methods methods{wipingMalloc, wipingFree, wipingRealloc, sizeOf,
                                           roundUp,      initialise, shutdown,      nullptr};
  return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
}

}  // namespace kms::store::sqlite
