#pragma once
// Credentials were presented (or required) and did not authenticate. The message is for the
// server log only: it says why (expired, unknown issuer, wrong CA...) but never holds the
// secret itself. Clients always get the same fixed 401 answer, so that the reason never helps
// an attacker.
#include <stdexcept>
#include <string>

namespace kms::auth {

class AuthenticationError : public std::runtime_error {
 public:
  explicit AuthenticationError(const std::string& reason) : std::runtime_error(reason) {}
};

}  // namespace kms::auth
