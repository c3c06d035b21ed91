#pragma once
// JSON TTLV (Cosmian-compatible): {"tag": Name, "type": Type, "value": ...}. See DESIGN.md §6.
#include <string>
#include <string_view>

#include "kms/kmip/DecodeLimits.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::kmip {

class JsonCodec {
 public:
  // Throws kms::Exception(InvalidMessage) with a message naming the path of the bad node
  // (e.g. "RequestMessage/BatchItem[1]/Operation: unknown enumeration 'Foo'").
  static Ttlv decode(std::string_view json, const DecodeLimits& limits = {});
  static std::string encode(const Ttlv& ttlv);
};

}  // namespace kms::kmip
