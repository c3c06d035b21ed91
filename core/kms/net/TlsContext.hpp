#pragma once
// The server-side TLS context of the HTTP port (Cosmian's [tls] keys): certificate and key
// from PEM files or a PKCS#12 file, TLS 1.2 at least, forward-secret cipher suites only for
// TLS 1.2, and client certificates verified against `clients_ca_cert_file` when set.
//
// A client certificate is verified during the handshake: a certificate that is expired, not
// yet valid or not signed by the configured CA ends the connection before any request is read.
// Whether a certificate is required: yes when certificates are the only authentication method
// (`requireClientCertificate`), otherwise optional so that bearer-token clients can connect.
#include <Poco/Net/Context.h>

#include <stdexcept>
#include <string>

#include "kms/config/Config.hpp"

namespace kms::net {

class TlsError : public std::runtime_error {
 public:
  explicit TlsError(const std::string& message) : std::runtime_error(message) {}
};

class TlsContext {
 public:
  // Throws TlsError naming the key whose file is unusable (never the password).
  static Poco::Net::Context::Ptr create(const config::TlsConfig& tls, bool requireClientCertificate);
};

}  // namespace kms::net
