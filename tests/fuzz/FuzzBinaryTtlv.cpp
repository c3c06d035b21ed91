// The binary TTLV decoder (KMIP's wire format and the database's object blobs): whatever the
// bytes, it returns a tree or throws kms::Exception(InvalidMessage), and a tree it accepts
// encodes again (binary and JSON) to something that decodes to the same tree.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "kms/Exception.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using kms::kmip::BinaryCodec;
  using kms::kmip::JsonCodec;
  kms::kmip::Ttlv tree;
  try {
    tree = BinaryCodec::decode(std::span<const std::uint8_t>(data, size));
  } catch (const kms::Exception& error) {
    if (error.code() != kms::ErrorCode::InvalidMessage) std::abort();
    return 0;
  }
  if (!(BinaryCodec::decode(BinaryCodec::encode(tree)) == tree)) std::abort();
  if (!(JsonCodec::decode(JsonCodec::encode(tree)) == tree)) std::abort();  // what binary carries, JSON does
  return 0;
}
