#pragma once
// The Authenticator kmsd runs with: takes the credentials out of the request (the bearer
// token of the Authorization header, the verified TLS client certificate) and asks the
// configured AuthenticatorChain who sent it.
//
// A refusal is logged with its reason and the peer address (never the credential) and
// answered with one fixed 401 text, whatever the reason: the answer must not help an attacker
// tell an expired token from a forged one.
#include "kms/auth/AuthenticatorChain.hpp"
#include "kms/http/Authenticator.hpp"

namespace kms::http {

class RequestAuthenticator : public Authenticator {
 public:
  static constexpr std::string_view kRefusal = "authentication required";

  explicit RequestAuthenticator(const auth::AuthenticatorChain& chain);
  std::string authenticate(const Poco::Net::HTTPServerRequest& request) override;

  // The credentials of `request` (exposed for tests).
  [[nodiscard]] static auth::Credentials credentialsOf(const Poco::Net::HTTPServerRequest& request);

 private:
  const auth::AuthenticatorChain& chain_;
};

}  // namespace kms::http
