#include "kms/hsm/StatusMapper.hpp"

#include <fmt/format.h>

#include <cstring>

namespace kms::hsm {

ErrorCode StatusMapper::code(kms_status status, bool exporting) noexcept {
  switch (status) {
    case KMS_ERR_INVALID_ARGUMENT:
      return ErrorCode::InvalidField;
    case KMS_ERR_NOT_SUPPORTED:
      return ErrorCode::FeatureNotSupported;
    case KMS_ERR_NOT_FOUND:
      return ErrorCode::NotFound;
    case KMS_ERR_ALREADY_EXISTS:
      return ErrorCode::AlreadyExists;
    // The client did nothing wrong when kmsd cannot log in to its own HSM: the service is
    // unavailable until an operator fixes the PIN (not a 401 to the client).
    case KMS_ERR_AUTH_FAILED:
      return ErrorCode::Unavailable;
    case KMS_ERR_PERMISSION_DENIED:
      return exporting ? ErrorCode::Sensitive : ErrorCode::PermissionDenied;
    case KMS_ERR_DEVICE_UNAVAILABLE:
      return ErrorCode::Unavailable;
    case KMS_ERR_DEVICE_ERROR:
      return ErrorCode::CryptographicFailure;
    default:
      return ErrorCode::InternalError;  // BUFFER_TOO_SMALL left over, INTERNAL, unknown
  }
}

std::string_view StatusMapper::statusName(kms_status status) noexcept {
  switch (status) {
    case KMS_OK:
      return "ok";
    case KMS_ERR_INVALID_ARGUMENT:
      return "invalid argument";
    case KMS_ERR_NOT_SUPPORTED:
      return "not supported";
    case KMS_ERR_NOT_FOUND:
      return "not found";
    case KMS_ERR_ALREADY_EXISTS:
      return "already exists";
    case KMS_ERR_AUTH_FAILED:
      return "authentication failed";
    case KMS_ERR_PERMISSION_DENIED:
      return "permission denied";
    case KMS_ERR_DEVICE_UNAVAILABLE:
      return "device unavailable";
    case KMS_ERR_DEVICE_ERROR:
      return "device error";
    case KMS_ERR_BUFFER_TOO_SMALL:
      return "buffer too small";
    case KMS_ERR_INTERNAL:
      return "driver internal error";
    default:
      return "unknown status";
  }
}

std::string StatusMapper::message(kms_status status, const kms_error& error) {
  std::string text(error.message, ::strnlen(error.message, sizeof error.message));
  if (text.empty()) text = statusName(status);
  if (status != KMS_ERR_INTERNAL && status >= KMS_ERR_INVALID_ARGUMENT && status <= KMS_ERR_INTERNAL) return text;
  return fmt::format("{} (status {})", text, status);
}

Exception StatusMapper::toException(kms_status status, const kms_error& error, const CallSite& site) {
  const std::string detail = message(status, error);
  if (status == KMS_ERR_AUTH_FAILED) {
    return Exception(ErrorCode::Unavailable,
                     fmt::format("{}: cannot log in to slot {}: {}", site.instance, site.slot, detail));
  }
  return Exception(code(status, site.exporting),
                   fmt::format("{}: {} on slot {} failed: {}", site.instance, site.operation, site.slot, detail));
}

}  // namespace kms::hsm
