#pragma once
// One authentication method (client certificate, JWT, API token).
#include <optional>
#include <string>

#include "kms/auth/Credentials.hpp"

namespace kms::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The user, or nullopt when the request carries no credential of this method's kind (the
  // chain then asks the next method). Throws AuthenticationError when it carries one that
  // does not authenticate: a wrong credential never falls through to another method.
  // Called on HTTP worker threads: must be thread-safe.
  virtual std::optional<std::string> authenticate(const Credentials& credentials) = 0;
  // For the start-up line: "client certificates", "JWT (2 providers)", ...
  [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace kms::auth
