// The JSON TTLV decoder (POST /kmip/2_1 bodies): whatever the bytes, it returns a tree or
// throws kms::Exception(InvalidMessage), and a tree it accepts encodes to JSON that decodes to
// the same tree. Anything else (a foreign exception, a sanitizer report) is a finding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kms/Exception.hpp"
#include "kms/kmip/JsonCodec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using kms::kmip::JsonCodec;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  kms::kmip::Ttlv tree;
  try {
    tree = JsonCodec::decode(json);
  } catch (const kms::Exception& error) {
    if (error.code() != kms::ErrorCode::InvalidMessage) std::abort();
    return 0;
  }
  if (!(JsonCodec::decode(JsonCodec::encode(tree)) == tree)) std::abort();  // round trip
  return 0;
}
