#include "kms/kmip/TreeMeter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "kms/Exception.hpp"

namespace kms::kmip {
namespace {

// A string's characters live in the object itself up to this length (libstdc++'s small string).
const std::size_t kInlineChars = std::string().capacity();

std::size_t stringHeap(const std::string& s) noexcept {
  return s.capacity() > kInlineChars ? TreeMeter::block(s.capacity() + 1) : 0;
}

}  // namespace

std::size_t TreeMeter::heapOf(const Ttlv& t) noexcept {
  return stringHeap(t.tag()) + stringHeap(t.text()) + block(t.bytes().capacity());
}

void TreeMeter::grow() {
  if (used_ > limits_.maxTreeBytes) {
    throw Exception(ErrorCode::PayloadTooLarge,
                    fmt::format("the decoded message would take more than {} bytes of memory", limits_.maxTreeBytes));
  }
  const std::size_t next = std::min(std::max(used_, granted_ + kGrant), limits_.maxTreeBytes);
  if (limits_.budget != nullptr) limits_.budget->require(next);
  granted_ = next;
}

}  // namespace kms::kmip
