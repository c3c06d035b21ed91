#include "kms/http/DefaultUserAuthenticator.hpp"

#include <utility>

namespace kms::http {

DefaultUserAuthenticator::DefaultUserAuthenticator(std::string user) : user_(std::move(user)) {}

std::string DefaultUserAuthenticator::authenticate(const Poco::Net::HTTPServerRequest&) {
  return user_;
}

}  // namespace kms::http
