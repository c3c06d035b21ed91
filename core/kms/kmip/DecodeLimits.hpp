#pragma once
// Bounds every decoder enforces, so that hostile input costs bounded memory and stack.
#include <cstddef>
#include <limits>

namespace kms::kmip {

// A shared pool the decoded tree's memory is drawn from (HTTP: what all requests in flight may
// hold together). The decoder asks again each time its tree grows past what it was given.
class DecodeBudget {
 public:
  virtual ~DecodeBudget() = default;
  // Makes sure the tree may hold `treeBytes` in all; throws (a kms::Exception saying why) when the
  // pool cannot give them, which ends the decode.
  virtual void require(std::size_t treeBytes) = 0;
};

struct DecodeLimits {
  std::size_t maxDepth = 64;  // Structure nesting
  // TTLV items in one message. A batch of a thousand Encrypts is some 15 000; a tree of 100 000
  // items holds about 13 MiB whatever the message's size.
  std::size_t maxItems = 100'000;
  std::size_t maxValueBytes = 64u << 20;  // one TextString/ByteString/BigInteger
  // Memory the decoded tree may hold (TreeMeter's count): HTTP sets a small multiple of the body.
  std::size_t maxTreeBytes = std::numeric_limits<std::size_t>::max();
  DecodeBudget* budget = nullptr;  // asked as the tree grows; none: only maxTreeBytes applies
};

}  // namespace kms::kmip
