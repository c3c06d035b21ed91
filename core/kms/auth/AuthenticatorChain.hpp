#pragma once
// The enabled authentication methods, tried in order: a request must pass one of them.
//
// - No method enabled: every request is the default user (Cosmian's behaviour; kmsd warns at
//   start and listens on loopback unless told otherwise).
// - Methods enabled: a request without credentials, or with credentials no method accepts,
//   fails, and a request that authenticates is the user its credential names. The default
//   user is never reached then: Cosmian's force_default_username (authenticate, then act as
//   the default user) would hand every authenticated user the default user's rights, so the
//   configuration refuses it.
#include <memory>
#include <string>
#include <vector>

#include "kms/auth/Authenticator.hpp"

namespace kms::auth {

class AuthenticatorChain {
 public:
  AuthenticatorChain(std::vector<std::unique_ptr<Authenticator>> methods, std::string defaultUser);

  // The user the request acts as. Throws AuthenticationError (reason for the log).
  [[nodiscard]] std::string authenticate(const Credentials& credentials) const;

  [[nodiscard]] bool empty() const noexcept { return methods_.empty(); }
  [[nodiscard]] std::string describe() const;

 private:
  std::vector<std::unique_ptr<Authenticator>> methods_;
  std::string defaultUser_;
};

}  // namespace kms::auth
