#pragma once
// A DKE call answered with an error of the reference service's kind: 400 (unknown key, bad
// request), 401 (no usable token: the challenge), 403 (the policy refuses the caller). `what()`
// is the answer's text, safe to show: never a token, a key or a reason a token failed.
#include <stdexcept>
#include <string>

namespace kms::integrations::ms_dke {

class DkeRefusal : public std::runtime_error {
 public:
  DkeRefusal(int status, const std::string& message, bool tokenPresented = false)
      : std::runtime_error(message), status_(status), tokenPresented_(tokenPresented) {}
  [[nodiscard]] int status() const noexcept { return status_; }
  // 401 only: a token was sent and failed (the challenge then says error="invalid_token").
  [[nodiscard]] bool tokenPresented() const noexcept { return tokenPresented_; }

 private:
  int status_;
  bool tokenPresented_;
};

}  // namespace kms::integrations::ms_dke
