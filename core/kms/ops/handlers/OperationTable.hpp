#pragma once
// The operation table of the RequestProcessor: KMIP Operation -> handler. Query reads it to
// list what the server supports.
#include <vector>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::handlers {

using Handler = kmip::Ttlv (*)(OperationContext&, const kmip::Ttlv&);

// nullptr when kmsd does not implement the operation.
[[nodiscard]] Handler handlerFor(kmip::Operation operation) noexcept;
// Every operation with a handler, in Operation enumeration order.
[[nodiscard]] std::vector<kmip::Operation> supportedOperations();

}  // namespace kms::ops::handlers
