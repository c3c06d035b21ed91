#include "kms/auth/AuthenticatorChain.hpp"

#include <fmt/format.h>

#include "kms/auth/AuthenticationError.hpp"

namespace kms::auth {

AuthenticatorChain::AuthenticatorChain(std::vector<std::unique_ptr<Authenticator>> methods, std::string defaultUser)
    : methods_(std::move(methods)), defaultUser_(std::move(defaultUser)) {}

std::string AuthenticatorChain::authenticate(const Credentials& credentials) const {
  if (methods_.empty()) return defaultUser_;
  if (credentials.otherAuthorization) {
    throw AuthenticationError("Authorization header with a scheme other than Bearer");
  }
  for (const auto& method : methods_) {
    if (auto user = method->authenticate(credentials)) return *user;
  }
  if (credentials.bearer) throw AuthenticationError("bearer token of a kind no enabled method accepts");
  throw AuthenticationError("no credentials");
}

std::string AuthenticatorChain::describe() const {
  if (methods_.empty()) return "none";
  std::string out;
  for (const auto& method : methods_) {
    if (!out.empty()) out += ", ";
    out += method->describe();
  }
  return out;
}

}  // namespace kms::auth
