#pragma once
// Every request acts as the configured default user (`default_username`), as Cosmian KMS
// does when no authentication method is configured.
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
