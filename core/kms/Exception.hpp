#pragma once
// The one exception type that crosses layers inside kmsd. Its code is a closed enum that the
// ErrorTable maps to a KMIP ResultReason and an HTTP status; drivers' C ABI categories map
// onto the same enum, so every failure has exactly one outward meaning.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace kms {

enum class ErrorCode : std::uint16_t {
  InvalidMessage,         // malformed request: bad JSON/TTLV, wrong types, too deep
  InvalidField,           // a field is present but its value is not acceptable
  MissingData,            // a required field is absent
  NotFound,               // no such object, or the caller may not see it (same answer)
  AlreadyExists,          // an object with that identifier exists
  PermissionDenied,       // the caller is known to see the object but may not do this
  AuthenticationFailed,   // credentials missing or wrong
  OperationNotSupported,  // an operation kmsd does not implement
  FeatureNotSupported,    // a parameter or algorithm kmsd does not implement
  KeyFormatNotSupported,  // a key format kmsd cannot produce or read
  CryptographicFailure,   // decryption/verification failed, bad tag, bad key
  BadCryptographicParameters,
  WrongKeyLifecycleState,  // e.g. destroying an Active key, encrypting with a PreActive one
  IncompatibleUsageMask,   // the key's usage mask does not allow the operation
  Sensitive,               // export of a sensitive key
  NotExtractable,          // export of a non-extractable key
  AttributeNotFound,
  AttributeReadOnly,
  AttributeSingleValued,
  IllegalObjectType,  // the operation does not apply to that kind of object
  PayloadTooLarge,    // request body above the configured limit
  ResponseTooLarge,
  KeyValueNotPresent,  // the object has no key material (destroyed)
  GeneralFailure,      // a request the server refuses without a more specific reason
  Unavailable,         // transient: HSM or database unreachable
  InternalError,       // a bug or an unexpected environment failure
};

class Exception : public std::runtime_error {
 public:
  Exception(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace kms
