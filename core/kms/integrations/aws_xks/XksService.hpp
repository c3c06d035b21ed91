#pragma once
// kmsd as an AWS KMS External Key Store proxy: the XKS Proxy API under
// {aws_xks_uri_path_prefix}/kms/xks/v1, served through net::RestService. A path that holds
// /kms/xks/ is served here (an unknown one with InvalidUriPathException, so that a key store
// configured with a wrong path says so); anything else is left to kmsd's own routes.
//
// One request: the method (405 but for POST), SigV4 (header checks before the body is read, the
// signature over the body after), the route, the operation, and the answer: 200 with the
// operation's JSON, or the specification's status with {"errorName", "errorMessage"}. One log
// line per request with the outcome and the requestMetadata (never a plaintext).
#include <memory>
#include <string>

#include "kms/config/Config.hpp"
#include "kms/integrations/aws_xks/SigV4Verifier.hpp"
#include "kms/integrations/aws_xks/XksHealth.hpp"
#include "kms/integrations/aws_xks/XksOperations.hpp"
#include "kms/net/RestService.hpp"

namespace kms::hsm {
class HsmRegistry;
}

namespace kms::integrations::aws_xks {

class XksService : public net::RestService {
 public:
  // The largest body read: requestMetadata (ARNs up to 2048 characters), 4300 bytes of
  // ciphertext and 8192 of AAD in Base64 fit with room to spare.
  static constexpr std::size_t kMaxBody = std::size_t{64} * 1024;

  // `config` enabled and validated (ConfigValidator). `hsm` may be nullptr.
  XksService(const config::AwsXksConfig& config, ops::RequestProcessor& processor, hsm::HsmRegistry* hsm);

  [[nodiscard]] bool serves(std::string_view path) const noexcept override;
  net::RestResponse serve(const net::RestRequest& request) override;
  [[nodiscard]] std::size_t maxBodySize() const noexcept override { return kMaxBody; }

  [[nodiscard]] const std::string& base() const noexcept { return base_; }  // {prefix}/kms/xks/v1

 private:
  std::string base_;
  SigV4Verifier verifier_;
  XksOperations operations_;
  std::unique_ptr<XksHealth> health_;
};

}  // namespace kms::integrations::aws_xks
