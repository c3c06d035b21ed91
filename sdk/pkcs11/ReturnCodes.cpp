#include "kms/pkcs11/ReturnCodes.hpp"

#include <fmt/format.h>

#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

namespace {

// Every standard 2.40 return code with its status category. CKR_USER_NOT_LOGGED_IN is an
// authentication failure only once the retry with a fresh login failed too.
#define KMS_CKR_TABLE(X)                                            \
  X(CKR_OK, KMS_OK)                                                 \
  X(CKR_CANCEL, KMS_ERR_DEVICE_ERROR)                               \
  X(CKR_HOST_MEMORY, KMS_ERR_DEVICE_ERROR)                          \
  X(CKR_SLOT_ID_INVALID, KMS_ERR_NOT_FOUND)                         \
  X(CKR_GENERAL_ERROR, KMS_ERR_DEVICE_ERROR)                        \
  X(CKR_FUNCTION_FAILED, KMS_ERR_DEVICE_ERROR)                      \
  X(CKR_ARGUMENTS_BAD, KMS_ERR_INVALID_ARGUMENT)                    \
  X(CKR_NO_EVENT, KMS_ERR_DEVICE_ERROR)                             \
  X(CKR_NEED_TO_CREATE_THREADS, KMS_ERR_DEVICE_ERROR)               \
  X(CKR_CANT_LOCK, KMS_ERR_DEVICE_ERROR)                            \
  X(CKR_ATTRIBUTE_READ_ONLY, KMS_ERR_PERMISSION_DENIED)             \
  X(CKR_ATTRIBUTE_SENSITIVE, KMS_ERR_PERMISSION_DENIED)             \
  X(CKR_ATTRIBUTE_TYPE_INVALID, KMS_ERR_INVALID_ARGUMENT)           \
  X(CKR_ATTRIBUTE_VALUE_INVALID, KMS_ERR_INVALID_ARGUMENT)          \
  X(CKR_ACTION_PROHIBITED, KMS_ERR_PERMISSION_DENIED)               \
  X(CKR_DATA_INVALID, KMS_ERR_DEVICE_ERROR)                         \
  X(CKR_DATA_LEN_RANGE, KMS_ERR_DEVICE_ERROR)                       \
  X(CKR_DEVICE_ERROR, KMS_ERR_DEVICE_ERROR)                         \
  X(CKR_DEVICE_MEMORY, KMS_ERR_DEVICE_ERROR)                        \
  X(CKR_DEVICE_REMOVED, KMS_ERR_DEVICE_UNAVAILABLE)                 \
  X(CKR_ENCRYPTED_DATA_INVALID, KMS_ERR_DEVICE_ERROR)               \
  X(CKR_ENCRYPTED_DATA_LEN_RANGE, KMS_ERR_DEVICE_ERROR)             \
  X(CKR_FUNCTION_CANCELED, KMS_ERR_DEVICE_UNAVAILABLE)              \
  X(CKR_FUNCTION_NOT_PARALLEL, KMS_ERR_NOT_SUPPORTED)               \
  X(CKR_FUNCTION_NOT_SUPPORTED, KMS_ERR_NOT_SUPPORTED)              \
  X(CKR_KEY_HANDLE_INVALID, KMS_ERR_NOT_FOUND)                      \
  X(CKR_KEY_SIZE_RANGE, KMS_ERR_NOT_SUPPORTED)                      \
  X(CKR_KEY_TYPE_INCONSISTENT, KMS_ERR_INVALID_ARGUMENT)            \
  X(CKR_KEY_NOT_NEEDED, KMS_ERR_INVALID_ARGUMENT)                   \
  X(CKR_KEY_CHANGED, KMS_ERR_DEVICE_ERROR)                          \
  X(CKR_KEY_NEEDED, KMS_ERR_INVALID_ARGUMENT)                       \
  X(CKR_KEY_INDIGESTIBLE, KMS_ERR_NOT_SUPPORTED)                    \
  X(CKR_KEY_FUNCTION_NOT_PERMITTED, KMS_ERR_PERMISSION_DENIED)      \
  X(CKR_KEY_NOT_WRAPPABLE, KMS_ERR_PERMISSION_DENIED)               \
  X(CKR_KEY_UNEXTRACTABLE, KMS_ERR_PERMISSION_DENIED)               \
  X(CKR_MECHANISM_INVALID, KMS_ERR_NOT_SUPPORTED)                   \
  X(CKR_MECHANISM_PARAM_INVALID, KMS_ERR_NOT_SUPPORTED)             \
  X(CKR_OBJECT_HANDLE_INVALID, KMS_ERR_NOT_FOUND)                   \
  X(CKR_OPERATION_ACTIVE, KMS_ERR_INTERNAL)                         \
  X(CKR_OPERATION_NOT_INITIALIZED, KMS_ERR_INTERNAL)                \
  X(CKR_PIN_INCORRECT, KMS_ERR_AUTH_FAILED)                         \
  X(CKR_PIN_INVALID, KMS_ERR_AUTH_FAILED)                           \
  X(CKR_PIN_LEN_RANGE, KMS_ERR_AUTH_FAILED)                         \
  X(CKR_PIN_EXPIRED, KMS_ERR_AUTH_FAILED)                           \
  X(CKR_PIN_LOCKED, KMS_ERR_AUTH_FAILED)                            \
  X(CKR_SESSION_CLOSED, KMS_ERR_DEVICE_UNAVAILABLE)                 \
  X(CKR_SESSION_COUNT, KMS_ERR_DEVICE_UNAVAILABLE)                  \
  X(CKR_SESSION_HANDLE_INVALID, KMS_ERR_DEVICE_UNAVAILABLE)         \
  X(CKR_SESSION_PARALLEL_NOT_SUPPORTED, KMS_ERR_NOT_SUPPORTED)      \
  X(CKR_SESSION_READ_ONLY, KMS_ERR_PERMISSION_DENIED)               \
  X(CKR_SESSION_EXISTS, KMS_ERR_DEVICE_ERROR)                       \
  X(CKR_SESSION_READ_ONLY_EXISTS, KMS_ERR_DEVICE_ERROR)             \
  X(CKR_SESSION_READ_WRITE_SO_EXISTS, KMS_ERR_DEVICE_ERROR)         \
  X(CKR_SIGNATURE_INVALID, KMS_ERR_DEVICE_ERROR)                    \
  X(CKR_SIGNATURE_LEN_RANGE, KMS_ERR_DEVICE_ERROR)                  \
  X(CKR_TEMPLATE_INCOMPLETE, KMS_ERR_INVALID_ARGUMENT)              \
  X(CKR_TEMPLATE_INCONSISTENT, KMS_ERR_INVALID_ARGUMENT)            \
  X(CKR_TOKEN_NOT_PRESENT, KMS_ERR_DEVICE_UNAVAILABLE)              \
  X(CKR_TOKEN_NOT_RECOGNIZED, KMS_ERR_DEVICE_UNAVAILABLE)           \
  X(CKR_TOKEN_WRITE_PROTECTED, KMS_ERR_PERMISSION_DENIED)           \
  X(CKR_UNWRAPPING_KEY_HANDLE_INVALID, KMS_ERR_NOT_FOUND)           \
  X(CKR_UNWRAPPING_KEY_SIZE_RANGE, KMS_ERR_NOT_SUPPORTED)           \
  X(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, KMS_ERR_INVALID_ARGUMENT) \
  X(CKR_USER_ALREADY_LOGGED_IN, KMS_OK)                             \
  X(CKR_USER_NOT_LOGGED_IN, KMS_ERR_AUTH_FAILED)                    \
  X(CKR_USER_PIN_NOT_INITIALIZED, KMS_ERR_AUTH_FAILED)              \
  X(CKR_USER_TYPE_INVALID, KMS_ERR_AUTH_FAILED)                     \
  X(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, KMS_ERR_AUTH_FAILED)        \
  X(CKR_USER_TOO_MANY_TYPES, KMS_ERR_AUTH_FAILED)                   \
  X(CKR_WRAPPED_KEY_INVALID, KMS_ERR_DEVICE_ERROR)                  \
  X(CKR_WRAPPED_KEY_LEN_RANGE, KMS_ERR_DEVICE_ERROR)                \
  X(CKR_WRAPPING_KEY_HANDLE_INVALID, KMS_ERR_NOT_FOUND)             \
  X(CKR_WRAPPING_KEY_SIZE_RANGE, KMS_ERR_NOT_SUPPORTED)             \
  X(CKR_WRAPPING_KEY_TYPE_INCONSISTENT, KMS_ERR_INVALID_ARGUMENT)   \
  X(CKR_RANDOM_SEED_NOT_SUPPORTED, KMS_ERR_NOT_SUPPORTED)           \
  X(CKR_RANDOM_NO_RNG, KMS_ERR_NOT_SUPPORTED)                       \
  X(CKR_DOMAIN_PARAMS_INVALID, KMS_ERR_INVALID_ARGUMENT)            \
  X(CKR_CURVE_NOT_SUPPORTED, KMS_ERR_NOT_SUPPORTED)                 \
  X(CKR_BUFFER_TOO_SMALL, KMS_ERR_BUFFER_TOO_SMALL)                 \
  X(CKR_SAVED_STATE_INVALID, KMS_ERR_DEVICE_ERROR)                  \
  X(CKR_INFORMATION_SENSITIVE, KMS_ERR_PERMISSION_DENIED)           \
  X(CKR_STATE_UNSAVEABLE, KMS_ERR_DEVICE_ERROR)                     \
  X(CKR_CRYPTOKI_NOT_INITIALIZED, KMS_ERR_DEVICE_UNAVAILABLE)       \
  X(CKR_CRYPTOKI_ALREADY_INITIALIZED, KMS_OK)                       \
  X(CKR_MUTEX_BAD, KMS_ERR_INTERNAL)                                \
  X(CKR_MUTEX_NOT_LOCKED, KMS_ERR_INTERNAL)                         \
  X(CKR_NEW_PIN_MODE, KMS_ERR_AUTH_FAILED)                          \
  X(CKR_NEXT_OTP, KMS_ERR_AUTH_FAILED)                              \
  X(CKR_EXCEEDED_MAX_ITERATIONS, KMS_ERR_DEVICE_ERROR)              \
  X(CKR_FIPS_SELF_TEST_FAILED, KMS_ERR_DEVICE_ERROR)                \
  X(CKR_LIBRARY_LOAD_FAILED, KMS_ERR_DEVICE_ERROR)                  \
  X(CKR_PIN_TOO_WEAK, KMS_ERR_AUTH_FAILED)                          \
  X(CKR_PUBLIC_KEY_INVALID, KMS_ERR_INVALID_ARGUMENT)               \
  X(CKR_FUNCTION_REJECTED, KMS_ERR_PERMISSION_DENIED)

}  // namespace

std::string ReturnCodes::name(unsigned long rv) {
  switch (rv) {
#define KMS_CKR_NAME(code, status) \
  case code:                       \
    return #code;
    KMS_CKR_TABLE(KMS_CKR_NAME)
#undef KMS_CKR_NAME
    default:
      return fmt::format("CKR_0x{:08X}", rv);
  }
}

kms_status ReturnCodes::status(unsigned long rv) noexcept {
  // Several return codes map to one status: the table says which, one line each.
  switch (rv) {
#define KMS_CKR_STATUS(code, status) \
  case code:                         \
    return status;
    KMS_CKR_TABLE(KMS_CKR_STATUS)  // NOLINT(bugprone-branch-clone)
#undef KMS_CKR_STATUS
    default:
      // Vendor-defined codes (>= CKR_VENDOR_DEFINED) and codes newer than 2.40: the device
      // failed in a way we cannot classify better.
      return KMS_ERR_DEVICE_ERROR;
  }
}

bool ReturnCodes::recoverable(unsigned long rv) noexcept {
  switch (rv) {
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
      return true;
    default:
      return false;
  }
}

bool ReturnCodes::staleHandle(unsigned long rv) noexcept {
  return rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID || rv == CKR_WRAPPING_KEY_HANDLE_INVALID ||
         rv == CKR_UNWRAPPING_KEY_HANDLE_INVALID;
}

}  // namespace kms::pkcs11
