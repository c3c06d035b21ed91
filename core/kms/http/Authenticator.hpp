#pragma once
// The seam where authentication plugs in: who sent this request. The auth issue replaces the
// default-user implementation with mTLS, JWT and API-token authenticators behind this interface.
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace kms::http {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The user the request acts as. Throws kms::Exception(AuthenticationFailed) when the
  // credentials are missing or wrong. Called on HTTP worker threads: must be thread-safe.
  virtual std::string authenticate(const Poco::Net::HTTPServerRequest& request) = 0;
};

}  // namespace kms::http
