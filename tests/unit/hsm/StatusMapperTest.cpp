#include <doctest/doctest.h>

#include <cstring>

#include "kms/hsm/StatusMapper.hpp"

using kms::ErrorCode;
using kms::hsm::CallSite;
using kms::hsm::StatusMapper;

namespace {

kms_error withMessage(const char* text) {
  kms_error error{};
  error.struct_size = sizeof error;
  std::strncpy(error.message, text, sizeof error.message - 1);
  return error;
}

}  // namespace

TEST_CASE("every driver status has one ErrorCode") {
  CHECK(StatusMapper::code(KMS_ERR_INVALID_ARGUMENT, false) == ErrorCode::InvalidField);
  CHECK(StatusMapper::code(KMS_ERR_NOT_SUPPORTED, false) == ErrorCode::FeatureNotSupported);
  CHECK(StatusMapper::code(KMS_ERR_NOT_FOUND, false) == ErrorCode::NotFound);
  CHECK(StatusMapper::code(KMS_ERR_ALREADY_EXISTS, false) == ErrorCode::AlreadyExists);
  CHECK(StatusMapper::code(KMS_ERR_AUTH_FAILED, false) == ErrorCode::Unavailable);
  CHECK(StatusMapper::code(KMS_ERR_PERMISSION_DENIED, false) == ErrorCode::PermissionDenied);
  CHECK(StatusMapper::code(KMS_ERR_PERMISSION_DENIED, true) == ErrorCode::Sensitive);
  CHECK(StatusMapper::code(KMS_ERR_DEVICE_UNAVAILABLE, false) == ErrorCode::Unavailable);
  CHECK(StatusMapper::code(KMS_ERR_DEVICE_ERROR, false) == ErrorCode::CryptographicFailure);
  CHECK(StatusMapper::code(KMS_ERR_BUFFER_TOO_SMALL, false) == ErrorCode::InternalError);
  CHECK(StatusMapper::code(KMS_ERR_INTERNAL, false) == ErrorCode::InternalError);
  CHECK(StatusMapper::code(99, false) == ErrorCode::InternalError);
}

TEST_CASE("a login failure says which slot kmsd cannot log in to") {
  const auto e = StatusMapper::toException(KMS_ERR_AUTH_FAILED, withMessage("C_Login failed: CKR_PIN_INCORRECT"),
                                           CallSite{"hsm::softhsm2", "encrypt", 4, false});
  CHECK(e.code() == ErrorCode::Unavailable);
  CHECK(std::string(e.what()) == "hsm::softhsm2: cannot log in to slot 4: C_Login failed: CKR_PIN_INCORRECT");
}

TEST_CASE("messages name instance, operation and slot; an unknown status is shown") {
  auto e = StatusMapper::toException(KMS_ERR_DEVICE_ERROR, withMessage("bad tag"),
                                     CallSite{"hsm::utimaco_1", "decrypt", 0, false});
  CHECK(std::string(e.what()) == "hsm::utimaco_1: decrypt on slot 0 failed: bad tag");
  e = StatusMapper::toException(42, withMessage(""), CallSite{"hsm::x", "sign", 1, false});
  CHECK(std::string(e.what()) == "hsm::x: sign on slot 1 failed: unknown status (status 42)");
}

TEST_CASE("a message without its NUL is read within its buffer") {
  kms_error error{};
  std::memset(error.message, 'A', sizeof error.message);
  CHECK(StatusMapper::message(KMS_ERR_DEVICE_ERROR, error).size() == sizeof error.message);
}
