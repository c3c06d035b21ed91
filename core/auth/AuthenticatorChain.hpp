#pragma once
// The enabled authentication methods, tried in order: a request must pass one of them.
//
// - No method enabled: every request is the default user (Cosmian's behaviour; kmsd warns at
//   start).
// - Methods enabled: a request without credentials, or with credentials no method accepts,
//   fails. With force_default_username the request must still authenticate, then acts as the
//   default user (Cosmian's meaning of that key).
#include <memory>
#include <string>
#include <vector>

#include "kms/auth/Authenticator.hpp"

namespace kms::auth {

class AuthenticatorChain {
 public:
  AuthenticatorChain(std::vector<std::unique_ptr<Authenticator>> methods, std::string defaultUser,
                     bool forceDefaultUser);

  // The user the request acts as. Throws AuthenticationError (reason for the log).
  [[nodiscard]] std::string authenticate(const Credentials& credentials) const;

  [[nodiscard]] bool empty() const noexcept { return methods_.empty(); }
  [[nodiscard]] std::string describe() const;

 private:
  std::vector<std::unique_ptr<Authenticator>> methods_;
  std::string defaultUser_;
  bool forceDefaultUser_;
};

}  // namespace kms::auth
