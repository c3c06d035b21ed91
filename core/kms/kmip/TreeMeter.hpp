#pragma once
// Counts what a TTLV tree being decoded holds in memory, so that a message whose tree would be
// many times its own size (a million empty Structures: 8 bytes each on the wire, over 128 in
// memory) stops with a clear error instead of taking the server's memory. The count follows the
// allocations: each Ttlv slot a Structure's vector reserves (growth included), and the heap
// blocks of tags, texts and byte strings.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "kms/kmip/DecodeLimits.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::kmip {

class TreeMeter {
 public:
  // The budget is asked in steps of this size, so that a small message asks never.
  static constexpr std::size_t kGrant = std::size_t{64} * 1024;

  explicit TreeMeter(const DecodeLimits& limits) noexcept : limits_(limits) {}

  // An item just built (its own heap blocks; its slot is counted by its parent or as the root).
  void item(const Ttlv& t) { add(heapOf(t)); }
  void root() { add(sizeof(Ttlv)); }
  // Reserves `count` slots in `children` (empty), counting them first.
  void reserve(std::vector<Ttlv>& children, std::size_t count) {
    add(block(count * sizeof(Ttlv)));
    children.reserve(count);
  }
  // Appends `child` to `children`, counting the slots the vector grows by.
  void append(std::vector<Ttlv>& children, Ttlv&& child) {
    const std::size_t before = children.capacity();
    children.push_back(std::move(child));
    if (children.capacity() != before) add(block(children.capacity() * sizeof(Ttlv)) - block(before * sizeof(Ttlv)));
  }
  // What a heap block of `size` bytes takes: glibc's chunk (an 8-byte header, 16-byte steps,
  // 32 bytes at least). Small blocks are most of a tree's: a 2-byte ID takes 32.
  static constexpr std::size_t block(std::size_t size) noexcept {
    return size == 0 ? 0 : std::max<std::size_t>(32, (size + 8 + 15) & ~std::size_t{15});
  }
  [[nodiscard]] std::size_t used() const noexcept { return used_; }

 private:
  void add(std::size_t bytes) {
    used_ += bytes;
    if (used_ > granted_) grow();
  }
  // Throws kms::Exception(PayloadTooLarge) past maxTreeBytes; asks the budget for more.
  void grow();
  static std::size_t heapOf(const Ttlv& t) noexcept;

  const DecodeLimits& limits_;
  std::size_t used_ = 0;
  std::size_t granted_ = 0;
};

}  // namespace kms::kmip
