#pragma once
// What a request carries to say who sent it, taken out of the transport so that
// authenticators never see HTTP or sockets (and tests can build it directly).
#include <Poco/Crypto/X509Certificate.h>

#include <optional>
#include <string>

namespace kms::auth {

struct Credentials {
  // The token of "Authorization: Bearer <token>". Secret: never logged.
  std::optional<std::string> bearer;
  // An Authorization header with another scheme (Basic, ...): refused when auth is on.
  bool otherAuthorization = false;
  // The TLS client certificate, present only when the handshake verified it against the
  // configured client CA.
  std::optional<Poco::Crypto::X509Certificate> clientCertificate;
};

}  // namespace kms::auth
