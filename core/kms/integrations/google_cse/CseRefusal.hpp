#pragma once
// A KACLS call answered with Google's structured error reply, {"code": status, "message": ...,
// "details": ...}: 400 (a malformed request, a wrapped key that is not ours or not for this
// resource), 401 (a token that does not verify), 403 (verified tokens that do not permit the
// call). `what()` is the message and `details()` the details, both safe to show: never a
// token, a key, or why a signature failed (that goes to the log).
#include <stdexcept>
#include <string>

namespace kms::integrations::google_cse {

class CseRefusal : public std::runtime_error {
 public:
  CseRefusal(int status, const std::string& message, std::string details = {})
      : std::runtime_error(message), status_(status), details_(std::move(details)) {}
  [[nodiscard]] int status() const noexcept { return status_; }
  [[nodiscard]] const std::string& details() const noexcept { return details_; }

 private:
  int status_;
  std::string details_;
};

}  // namespace kms::integrations::google_cse
