#include "kms/keys/OpenSslError.hpp"

#include <climits>

#include <openssl/err.h>

namespace kms::keys {

void throwOpenSslError(ErrorCode code, const std::string& message) {
  const unsigned long err = ERR_peek_error();
  std::string full = message;
  if (err != 0) {
    const char* reason = ERR_reason_error_string(err);
    if (reason != nullptr) {
      full += ": ";
      full += reason;
    }
  }
  ERR_clear_error();
  throw Exception(code, full);
}

void throwOpaque(ErrorCode code, const std::string& message) {
  ERR_clear_error();
  throw Exception(code, message);
}

void clearOpenSslErrors() noexcept {
  ERR_clear_error();
}

int checkedLength(std::size_t size, const char* what) {
  if (size > static_cast<std::size_t>(INT_MAX)) {
    throw Exception(ErrorCode::InvalidField, std::string(what) + " is too large");
  }
  return static_cast<int>(size);
}

}  // namespace kms::keys
