#pragma once
// TLS client certificates. The handshake has already verified the certificate against the
// configured CA (an expired or foreign certificate never gets this far); this names the user:
// the subject's common name, or its email address (subjectAltName rfc822Name, else the
// subject's emailAddress).
#include "kms/auth/Authenticator.hpp"
#include "kms/config/Config.hpp"

namespace kms::auth {

class ClientCertificateAuthenticator : public Authenticator {
 public:
  explicit ClientCertificateAuthenticator(config::ClientCertUser field);
  std::optional<std::string> authenticate(const Credentials& credentials) override;
  [[nodiscard]] std::string describe() const override;

  // The user named by `certificate`, or an empty string when it names none.
  [[nodiscard]] static std::string userOf(const Poco::Crypto::X509Certificate& certificate,
                                          config::ClientCertUser field);

 private:
  const config::ClientCertUser field_;
};

}  // namespace kms::auth
