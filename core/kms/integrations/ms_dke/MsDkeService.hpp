#pragma once
// Microsoft Double Key Encryption's key service, as the reference service
// (Azure-Samples/DoubleKeyEncryptionService) defines it, under /ms_dke:
//
//   GET  /ms_dke/{keyName}                  {"key": {"kty": "RSA", "n": base64 modulus, "e": 65537,
//                                            "alg": "RS256", "kid": ".../ms_dke/{keyName}/{keyId}"},
//                                            "cache": {"exp": "yyyy-MM-ddTHH:mm:ss"}}
//   POST /ms_dke/{keyName}/{keyId}/decrypt  {"alg": "RSA-OAEP-256", "value": base64} -> {"value": base64}
//
// {keyName} is the Name of an RSA private key, {keyId} its UID. As in the reference, GET takes no
// token (a public key is public; Office fetches it to encrypt): it runs as [ms_dke_config]
// ms_dke_user. Decrypt needs an Entra ID bearer token for https://aadrm.com (DkeTokenVerifier);
// without one, or with one that fails, the answer is the reference's 401 challenge. It also
// passes [ms_dke_config]'s policy (DkeAuthorization, else 403), and runs the operations as the
// token's user (DkeKeys): that user needs decrypt granted on the key.
// Failures as the reference: 400 for an unknown key or a bad request, 403 for the policy.
#include <string>

#include "kms/config/Config.hpp"
#include "kms/integrations/ms_dke/DkeAuthorization.hpp"
#include "kms/integrations/ms_dke/DkeKeys.hpp"
#include "kms/integrations/ms_dke/DkeTokenVerifier.hpp"
#include "kms/net/RestService.hpp"

namespace kms::integrations::ms_dke {

class MsDkeService : public net::RestService {
 public:
  static constexpr std::string_view kPrefix = "/ms_dke";
  // Where a client without a token is sent for one (the reference's challenge).
  static constexpr std::string_view kAuthorizationUri = "https://login.windows.net/common/oauth2/authorize";
  // How long clients may keep a published public key (the "cache" member): one day.
  static constexpr int kCacheDays = 1;

  MsDkeService(ops::RequestProcessor& processor, const config::Config& config);
  // /ms_dke and every path below it.
  [[nodiscard]] bool serves(std::string_view path) const noexcept override;
  net::RestResponse serve(const net::RestRequest& request) override;
  [[nodiscard]] std::size_t maxBodySize() const noexcept override { return std::size_t{16} * 1024; }

 private:
  [[nodiscard]] net::RestResponse publicKey(const std::string& keyName, const net::RestRequest& request);
  [[nodiscard]] net::RestResponse decrypt(const DkeCaller& caller, const std::string& keyName, const std::string& keyId,
                                          const std::string& body);

  DkeTokenVerifier tokens_;
  DkeAuthorization policy_;
  DkeKeys keys_;
  std::string publisher_;   // [ms_dke_config] ms_dke_user: whom GET acts as
  std::string serviceUrl_;  // no trailing slash; empty: the request's origin + kPrefix
};

}  // namespace kms::integrations::ms_dke
