#pragma once
// Google Workspace client-side encryption: kmsd as the Key Access Control List Service (KACLS)
// of Google's KACLS API reference, under /google_cse (kms_public_url + /google_cse is the URL the
// Workspace admin console is given):
//
//   GET  status                      {"server_type": "KACLS", "vendor_id", "version", "name",
//                                     "operations_supported"}
//   POST wrap / unwrap               a DEK for a resource (both tokens)
//   POST digest                      the resource key hash of a wrapped DEK (authorization only)
//   POST rewrap                      a blob of this KACLS rewrapped with the current key (migrator)
//   POST privilegedwrap / privilegedunwrap, privilegedprivatekeydecrypt, wrapprivatekey
//                                    an authentication token of a google_cse_privileged_users user
//   POST privatekeysign / privatekeydecrypt   Gmail's S/MIME private keys (both tokens)
//
// Google's front end calls the KACLS from the user's browser: CORS preflights (OPTIONS) are
// answered, and answers carry Access-Control-Allow-Origin, for google_cse_allowed_origins only.
// Requests and answers are the reference's JSON; failures are its structured error reply
// {"code", "message", "details"} with the HTTP status in "code". The keys are wrapped by kmsd
// operations run as the caller (CseKeys), in kmsd's own blob format (WrappedKey).
#include <string>

#include "kms/config/Config.hpp"
#include "kms/integrations/google_cse/CseKeys.hpp"
#include "kms/integrations/google_cse/CseTokenVerifier.hpp"
#include "kms/net/RestService.hpp"

namespace Poco::JSON {
class Object;
}

namespace kms::integrations::google_cse {

class GoogleCseService : public net::RestService {
 public:
  static constexpr std::string_view kPrefix = "/google_cse";

  // Throws config::ConfigError when kms_public_url is not set (Google's tokens name the KACLS
  // URL built on it) or the authorization issuers and JWKS do not pair up.
  GoogleCseService(ops::RequestProcessor& processor, const config::Config& config);
  [[nodiscard]] bool serves(std::string_view path) const noexcept override;
  net::RestResponse serve(const net::RestRequest& request) override;
  // The largest request: privatekeysign's 8 KB wrapped private key in Base64, and its tokens.
  [[nodiscard]] std::size_t maxBodySize() const noexcept override { return std::size_t{64} * 1024; }

  [[nodiscard]] const std::string& kaclsUrl() const noexcept { return kaclsUrl_; }

 private:
  class Call;
  [[nodiscard]] net::RestResponse answer(const net::RestRequest& request);
  // The answer to a CORS preflight, or the headers a CORS answer adds, for an allowed Origin.
  [[nodiscard]] net::RestResponse preflight(const net::RestRequest& request) const;
  [[nodiscard]] bool allowedOrigin(std::string_view origin) const;
  [[nodiscard]] std::string status() const;
  [[nodiscard]] std::string wrap(Call& call);
  [[nodiscard]] std::string unwrap(Call& call);
  [[nodiscard]] std::string digest(Call& call);
  [[nodiscard]] std::string rewrap(Call& call);
  [[nodiscard]] std::string privilegedWrap(Call& call);
  [[nodiscard]] std::string privilegedUnwrap(Call& call);
  [[nodiscard]] std::string privateKeySign(Call& call);
  [[nodiscard]] std::string privateKeyDecrypt(Call& call, bool privileged);
  [[nodiscard]] std::string wrapPrivateKey(Call& call);
  // The authentication token of a privileged call, whose user must be listed.
  [[nodiscard]] CseIdentity privileged(Call& call);
  [[nodiscard]] SecureBytes unwrapPrivateKey(Call& call, const ops::RequestContext& context,
                                             const std::string& spkiHash, const std::string& spkiAlgorithm);

  std::string kaclsUrl_;
  CseTokenVerifier tokens_;
  CseKeys keys_;
  std::vector<std::string> privilegedUsers_;
  std::vector<std::string> allowedOrigins_;  // CORS
  bool pkcs1v15Decrypt_;
};

}  // namespace kms::integrations::google_cse
