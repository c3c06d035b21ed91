#pragma once
// Bounds every decoder enforces, so that hostile input costs bounded memory and stack.
#include <cstddef>

namespace kms::kmip {

struct DecodeLimits {
  std::size_t maxDepth = 64;              // Structure nesting
  std::size_t maxItems = 1'000'000;       // TTLV items in one message
  std::size_t maxValueBytes = 64u << 20;  // one TextString/ByteString/BigInteger
};

}  // namespace kms::kmip
