// KMIP 2.1 section 6.1.26: the OASIS test harness marks the start and end of a test case.
// kmsd keeps no interop state: the request is checked and answered with an empty payload.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv interop(OperationContext& /*ctx*/, const Ttlv& payload) {
  const auto function = payload.at("InteropFunction").asEnumeration();
  if (function < static_cast<std::uint32_t>(kmip::InteropFunction::Begin) ||
      function > static_cast<std::uint32_t>(kmip::InteropFunction::Reset)) {
    throw Exception(ErrorCode::InvalidField, fmt::format("unknown InteropFunction {}", function));
  }
  (void)payload.at("InteropIdentifier").asText();
  return Ttlv::structure("ResponsePayload");
}

}  // namespace kms::ops::handlers
