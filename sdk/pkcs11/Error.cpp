#include "kms/pkcs11/Error.hpp"

#include <fmt/format.h>

#include <utility>

#include "kms/pkcs11/ReturnCodes.hpp"

namespace kms::pkcs11 {

Error::Error(kms_status status, std::string message, std::uint64_t vendorCode)
    : status_(status), vendorCode_(vendorCode), message_(std::move(message)) {}

Error Error::fromRv(const char* function, unsigned long rv, std::uint64_t slotId) {
  return Error(ReturnCodes::status(rv),
               fmt::format("{} failed: {} on slot {}", function, ReturnCodes::name(rv), slotId), rv);
}

}  // namespace kms::pkcs11
