#pragma once
// The decoder limits of one KMIP message of `size` bytes, for every front end (HTTP bodies,
// binary messages on the socket): the decoded tree may take a multiple of the message plus a
// floor for small messages, and draws its memory from the in-flight budget.
//
// Every TTLV item takes sizeof(Ttlv), 128 bytes, in memory and at least 8 on the wire (an empty
// Structure; a JSON one is some 15), so that a tree can be 16 times its binary body, more where
// vectors grow by doubling. Real messages stay well below (a binary batch of Gets, the densest,
// 8.5 times; of Encrypts 5.4; JSON a third of that: DecodeMemoryTest); maxItems and the in-flight
// budget bound the tree in absolute terms.
#include <algorithm>
#include <cstddef>

#include "kms/kmip/DecodeLimits.hpp"

namespace kms::net {

struct MessageLimits {
  static constexpr std::size_t kTreePerByte = 16;
  static constexpr std::size_t kTreeFloor = std::size_t{64} * 1024;

  [[nodiscard]] static kmip::DecodeLimits of(kmip::DecodeLimits limits, std::size_t size, kmip::DecodeBudget* budget) {
    limits.maxTreeBytes = std::min(limits.maxTreeBytes, kTreeFloor + kTreePerByte * size);
    limits.budget = budget;
    return limits;
  }
};

}  // namespace kms::net
