#include "kms/pkcs11/Call.hpp"

#include <fmt/format.h>

#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/ReturnCodes.hpp"

namespace kms::pkcs11 {

void Call::check(CK_RV rv, const char* name, std::uint64_t slotId) {
  if (rv != CKR_OK) throw Error::fromRv(name, rv, slotId);
}

void Call::traceCall(const char* name, CK_RV rv, std::chrono::steady_clock::duration took) const noexcept {
  if (host_ == nullptr || !host_->logs()) return;
  try {
    const double ms = std::chrono::duration<double, std::milli>(took).count();
    host_->log(KMS_LOG_TRACE, fmt::format("pkcs11: {} -> {} in {:.3f} ms", name, ReturnCodes::name(rv), ms));
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // Tracing never fails a call.
  }
}

}  // namespace kms::pkcs11
