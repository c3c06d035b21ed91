#pragma once
// kmsd as an AWS KMS External Key Store proxy: the routes of the XKS Proxy API under
// {aws_xks_uri_path_prefix}/kms/xks/v1 and what they share (the SigV4 verifier, the operations
// as the XKS user, the health answer). http::RequestHandlerFactory asks route() first: a path
// that holds /kms/xks/ is served here (an unknown one with InvalidUriPathException, so that a
// key store configured with a wrong path says so), anything else is left to kmsd's own routes.
#include <memory>
#include <string>

#include "kms/config/Config.hpp"
#include "kms/integrations/aws_xks/SigV4Verifier.hpp"
#include "kms/integrations/aws_xks/XksHealth.hpp"
#include "kms/integrations/aws_xks/XksOperations.hpp"

namespace Poco::Net {
class HTTPRequestHandler;
class HTTPServerRequest;
}  // namespace Poco::Net
namespace kms::hsm {
class HsmRegistry;
}

namespace kms::integrations::aws_xks {

class XksRoutes {
 public:
  // The largest body read: requestMetadata (ARNs up to 2048 characters), 4300 bytes of
  // ciphertext and 8192 of AAD in Base64 fit with room to spare.
  static constexpr std::size_t kMaxBody = std::size_t{64} * 1024;

  // `config` enabled and validated (ConfigValidator). `hsm` may be nullptr.
  XksRoutes(const config::AwsXksConfig& config, ops::RequestProcessor& processor, hsm::HsmRegistry* hsm);

  // A new handler for an XKS path, nullptr for any other path.
  [[nodiscard]] Poco::Net::HTTPRequestHandler* route(const Poco::Net::HTTPServerRequest& request) const;

  [[nodiscard]] const std::string& base() const noexcept { return base_; }  // {prefix}/kms/xks/v1
  [[nodiscard]] const SigV4Verifier& verifier() const noexcept { return verifier_; }
  [[nodiscard]] const XksOperations& operations() const noexcept { return operations_; }
  [[nodiscard]] const XksHealth& health() const noexcept { return *health_; }

 private:
  std::string base_;
  SigV4Verifier verifier_;
  XksOperations operations_;
  std::unique_ptr<XksHealth> health_;
};

}  // namespace kms::integrations::aws_xks
