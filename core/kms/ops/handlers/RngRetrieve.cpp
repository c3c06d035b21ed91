// RNG Retrieve (KMIP 2.1 6.1.49): DataLength bytes from OpenSSL's public DRBG (the one that
// serves IVs, never the one that makes keys). It touches no object, so any authenticated
// caller may use it; one answer holds at most kMaxBytes.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {
namespace {

// Large enough for any key or seed a client wants, small enough that a loop of requests cannot
// make the server build answers of megabytes.
constexpr std::int64_t kMaxBytes = std::int64_t{64} * 1024;

}  // namespace

Ttlv rngRetrieve(OperationContext& /*ctx*/, const Ttlv& payload) {
  const auto* length = payload.find("DataLength");
  if (length == nullptr) throw Exception(ErrorCode::MissingData, "RNGRetrieve needs a DataLength");
  const std::int64_t bytes = length->asInteger();
  if (bytes <= 0) throw Exception(ErrorCode::InvalidField, fmt::format("DataLength {} is not positive", bytes));
  if (bytes > kMaxBytes) {
    throw Exception(ErrorCode::ResponseTooLarge,
                    fmt::format("DataLength {} is above the {} bytes one RNGRetrieve returns", bytes, kMaxBytes));
  }
  return attributes::responsePayload({Ttlv::byteString("Data", keys::Random::bytes(static_cast<std::size_t>(bytes)))});
}

}  // namespace kms::ops::handlers
