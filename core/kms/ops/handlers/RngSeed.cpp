// RNG Seed (KMIP 2.1 6.1.50): kmsd takes no seed from clients (OpenSSL's DRBG seeds itself
// from the operating system, and a client must not steer the generator that makes the
// server's IVs), which the specification allows: it answers DataLength 0, "not used".
#include "kms/Exception.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv rngSeed(OperationContext& /*ctx*/, const Ttlv& payload) {
  if (payload.find("Data") == nullptr) throw Exception(ErrorCode::MissingData, "RNGSeed needs Data");
  return attributes::responsePayload({Ttlv::integer("DataLength", 0)});
}

}  // namespace kms::ops::handlers
