#pragma once
// The errors of the XKS Proxy API ("Error codes" of the specification): each name with its HTTP
// status, and the one mapping from kmsd's ErrorCode to them, so that every answer of the routes
// is one of the names AWS KMS knows.
#include <stdexcept>
#include <string>
#include <string_view>

#include "kms/Exception.hpp"

namespace kms::integrations::aws_xks {

enum class XksErrorName {
  ValidationException,            // 400
  InvalidStateException,          // 400: key disabled, deactivated, revoked
  InvalidCiphertextException,     // 400: decrypt only
  InvalidKeyUsageException,       // 400: the key does not allow the operation
  AuthenticationFailedException,  // 401: SigV4
  AccessDeniedException,          // 403
  KeyNotFoundException,           // 404
  InvalidUriPathException,        // 404
  ThrottlingException,            // 429
  UnsupportedOperationException,  // 501
  DependencyTimeoutException,     // 503: AWS retries
  InternalException,              // 500
};

class XksError : public std::runtime_error {
 public:
  XksError(XksErrorName name, const std::string& message) : std::runtime_error(message), name_(name) {}
  [[nodiscard]] XksErrorName name() const noexcept { return name_; }
  [[nodiscard]] static std::string_view nameOf(XksErrorName name) noexcept;
  [[nodiscard]] static int statusOf(XksErrorName name) noexcept;

  // What an operation's failure means to AWS. `decrypt`: a cryptographic failure is the
  // ciphertext's (InvalidCiphertextException), not the server's.
  [[nodiscard]] static XksError fromKms(const kms::Exception& error, bool decrypt);

 private:
  XksErrorName name_;
};

}  // namespace kms::integrations::aws_xks
