#include "kms/integrations/aws_xks/XksError.hpp"

namespace kms::integrations::aws_xks {

std::string_view XksError::nameOf(XksErrorName name) noexcept {
  switch (name) {
    case XksErrorName::ValidationException:
      return "ValidationException";
    case XksErrorName::InvalidStateException:
      return "InvalidStateException";
    case XksErrorName::InvalidCiphertextException:
      return "InvalidCiphertextException";
    case XksErrorName::InvalidKeyUsageException:
      return "InvalidKeyUsageException";
    case XksErrorName::AuthenticationFailedException:
      return "AuthenticationFailedException";
    case XksErrorName::AccessDeniedException:
      return "AccessDeniedException";
    case XksErrorName::KeyNotFoundException:
      return "KeyNotFoundException";
    case XksErrorName::InvalidUriPathException:
      return "InvalidUriPathException";
    case XksErrorName::ThrottlingException:
      return "ThrottlingException";
    case XksErrorName::UnsupportedOperationException:
      return "UnsupportedOperationException";
    case XksErrorName::DependencyTimeoutException:
      return "DependencyTimeoutException";
    case XksErrorName::InternalException:
      break;
  }
  return "InternalException";
}

int XksError::statusOf(XksErrorName name) noexcept {
  switch (name) {
    case XksErrorName::ValidationException:
    case XksErrorName::InvalidStateException:
    case XksErrorName::InvalidCiphertextException:
    case XksErrorName::InvalidKeyUsageException:
      return 400;
    case XksErrorName::AuthenticationFailedException:
      return 401;
    case XksErrorName::AccessDeniedException:
      return 403;
    case XksErrorName::KeyNotFoundException:
    case XksErrorName::InvalidUriPathException:
      return 404;
    case XksErrorName::ThrottlingException:
      return 429;
    case XksErrorName::UnsupportedOperationException:
      return 501;
    case XksErrorName::DependencyTimeoutException:
      return 503;
    case XksErrorName::InternalException:
      break;
  }
  return 500;
}

XksError XksError::fromKms(const kms::Exception& error, bool decrypt) {
  const std::string message = error.what();
  switch (error.code()) {
    case ErrorCode::NotFound:
      // kmsd answers a key the XKS user was not granted as a missing one (DESIGN §7).
      return {XksErrorName::KeyNotFoundException, "no such key for this key store"};
    case ErrorCode::PermissionDenied:
      return {XksErrorName::AccessDeniedException, "the key store's user may not do this with the key"};
    case ErrorCode::WrongKeyLifecycleState:
    case ErrorCode::KeyValueNotPresent:
      return {XksErrorName::InvalidStateException, "the key is not active (pre-active, revoked or destroyed)"};
    case ErrorCode::IncompatibleUsageMask:
    case ErrorCode::IllegalObjectType:
    case ErrorCode::BadCryptographicParameters:
      return {XksErrorName::InvalidKeyUsageException, "the key does not support this operation"};
    case ErrorCode::CryptographicFailure:
      if (decrypt) {
        return {XksErrorName::InvalidCiphertextException,
                "the ciphertext, initialization vector, additional authenticated data or tag is invalid"};
      }
      return {XksErrorName::InternalException, "the key manager failed"};
    case ErrorCode::FeatureNotSupported:
      return {XksErrorName::InvalidKeyUsageException, "the key does not support AES-GCM"};
    case ErrorCode::OperationNotSupported:
      return {XksErrorName::UnsupportedOperationException, "operation not supported"};
    case ErrorCode::AuthenticationFailed:
      return {XksErrorName::AuthenticationFailedException, "authentication failed"};
    case ErrorCode::InvalidMessage:
    case ErrorCode::InvalidField:
    case ErrorCode::MissingData:
      return {XksErrorName::ValidationException, message};
    case ErrorCode::PayloadTooLarge:
      return {XksErrorName::UnsupportedOperationException, "request larger than this proxy supports"};
    case ErrorCode::Unavailable:
      // The HSM (or the database) is unreachable for now: the name that tells AWS to retry.
      return {XksErrorName::DependencyTimeoutException, "the key manager is unavailable: retry"};
    default:
      return {XksErrorName::InternalException, "internal error"};
  }
}

}  // namespace kms::integrations::aws_xks
