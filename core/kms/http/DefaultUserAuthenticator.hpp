#pragma once
// Every request acts as one fixed user. For the HTTP unit tests' server only: kmsd runs
// RequestAuthenticator, whose AuthenticatorChain returns the default user only when no
// authentication method is configured, so the default user is never reachable with one.
#include <string>

#include "kms/http/Authenticator.hpp"

namespace kms::http {

class DefaultUserAuthenticator : public Authenticator {
 public:
  explicit DefaultUserAuthenticator(std::string user);
  std::string authenticate(const Poco::Net::HTTPServerRequest& request) override;

 private:
  const std::string user_;
};

}  // namespace kms::http
