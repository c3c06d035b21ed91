#pragma once
// Binary TTLV (KMIP 2.1 section 9.1): the wire format of port 5696 and the storage format of
// object blobs in the database.
#include <cstdint>
#include <span>
#include <vector>

#include "kms/kmip/DecodeLimits.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::kmip {

class BinaryCodec {
 public:
  // Throws kms::Exception(InvalidMessage) naming the offset and tag of the bad item.
  static Ttlv decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});
  // The encoding carries key material where the tree does: a wiped-on-release buffer.
  static Ttlv::Bytes encode(const Ttlv& ttlv);
};

}  // namespace kms::kmip
