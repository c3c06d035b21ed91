#include "kms/ErrorTable.hpp"

#include <array>

namespace kms {
namespace {

// KMIP result reasons (KMIP 2.1 section 11.46).
constexpr std::uint32_t kItemNotFound = 0x01;
constexpr std::uint32_t kResponseTooLarge = 0x02;
constexpr std::uint32_t kAuthenticationNotSuccessful = 0x03;
constexpr std::uint32_t kInvalidMessage = 0x04;
constexpr std::uint32_t kOperationNotSupported = 0x05;
constexpr std::uint32_t kMissingData = 0x06;
constexpr std::uint32_t kInvalidField = 0x07;
constexpr std::uint32_t kFeatureNotSupported = 0x08;
constexpr std::uint32_t kCryptographicFailure = 0x0A;
constexpr std::uint32_t kPermissionDenied = 0x0C;
constexpr std::uint32_t kKeyFormatTypeNotSupported = 0x10;
constexpr std::uint32_t kKeyValueNotPresent = 0x13;
constexpr std::uint32_t kSensitive = 0x16;
constexpr std::uint32_t kNotExtractable = 0x17;
constexpr std::uint32_t kObjectAlreadyExists = 0x18;
constexpr std::uint32_t kAttributeNotFound = 0x21;
constexpr std::uint32_t kAttributeReadOnly = 0x22;
constexpr std::uint32_t kAttributeSingleValued = 0x23;
constexpr std::uint32_t kBadCryptographicParameters = 0x24;
constexpr std::uint32_t kIllegalObjectType = 0x28;
constexpr std::uint32_t kIncompatibleCryptographicUsageMask = 0x29;
constexpr std::uint32_t kWrongKeyLifecycleState = 0x43;
constexpr std::uint32_t kProtectionStorageUnavailable = 0x44;
constexpr std::uint32_t kGeneralFailure = 0x100;

constexpr std::array kTable{
    ErrorInfo{ErrorCode::InvalidMessage, kInvalidMessage, 400, "invalid_message"},
    ErrorInfo{ErrorCode::InvalidField, kInvalidField, 400, "invalid_field"},
    ErrorInfo{ErrorCode::MissingData, kMissingData, 400, "missing_data"},
    ErrorInfo{ErrorCode::NotFound, kItemNotFound, 404, "not_found"},
    ErrorInfo{ErrorCode::AlreadyExists, kObjectAlreadyExists, 409, "already_exists"},
    ErrorInfo{ErrorCode::PermissionDenied, kPermissionDenied, 403, "permission_denied"},
    ErrorInfo{ErrorCode::AuthenticationFailed, kAuthenticationNotSuccessful, 401, "authentication_failed"},
    ErrorInfo{ErrorCode::OperationNotSupported, kOperationNotSupported, 400, "operation_not_supported"},
    ErrorInfo{ErrorCode::FeatureNotSupported, kFeatureNotSupported, 400, "feature_not_supported"},
    ErrorInfo{ErrorCode::KeyFormatNotSupported, kKeyFormatTypeNotSupported, 400, "key_format_not_supported"},
    ErrorInfo{ErrorCode::CryptographicFailure, kCryptographicFailure, 422, "cryptographic_failure"},
    ErrorInfo{ErrorCode::BadCryptographicParameters, kBadCryptographicParameters, 400, "bad_cryptographic_parameters"},
    ErrorInfo{ErrorCode::WrongKeyLifecycleState, kWrongKeyLifecycleState, 409, "wrong_key_lifecycle_state"},
    ErrorInfo{ErrorCode::IncompatibleUsageMask, kIncompatibleCryptographicUsageMask, 403, "incompatible_usage_mask"},
    ErrorInfo{ErrorCode::Sensitive, kSensitive, 403, "sensitive"},
    ErrorInfo{ErrorCode::NotExtractable, kNotExtractable, 403, "not_extractable"},
    ErrorInfo{ErrorCode::AttributeNotFound, kAttributeNotFound, 404, "attribute_not_found"},
    ErrorInfo{ErrorCode::AttributeReadOnly, kAttributeReadOnly, 400, "attribute_read_only"},
    ErrorInfo{ErrorCode::AttributeSingleValued, kAttributeSingleValued, 400, "attribute_single_valued"},
    ErrorInfo{ErrorCode::IllegalObjectType, kIllegalObjectType, 400, "illegal_object_type"},
    ErrorInfo{ErrorCode::PayloadTooLarge, kInvalidMessage, 413, "payload_too_large"},
    ErrorInfo{ErrorCode::ResponseTooLarge, kResponseTooLarge, 500, "response_too_large"},
    ErrorInfo{ErrorCode::KeyValueNotPresent, kKeyValueNotPresent, 409, "key_value_not_present"},
    ErrorInfo{ErrorCode::GeneralFailure, kGeneralFailure, 400, "general_failure"},
    ErrorInfo{ErrorCode::Unavailable, kProtectionStorageUnavailable, 503, "unavailable"},
    ErrorInfo{ErrorCode::InternalError, kGeneralFailure, 500, "internal_error"},
};

}  // namespace

const ErrorInfo& ErrorTable::lookup(ErrorCode code) noexcept {
  for (const auto& info : kTable) {
    if (info.code == code) return info;
  }
  return kTable.back();
}

const ErrorInfo* ErrorTable::byKmipReason(std::uint32_t reason) noexcept {
  for (const auto& info : kTable) {
    if (info.kmipResultReason == reason) return &info;
  }
  return nullptr;
}

}  // namespace kms
