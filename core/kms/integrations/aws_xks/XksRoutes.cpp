#include "kms/integrations/aws_xks/XksRoutes.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include "kms/integrations/aws_xks/XksRequestHandler.hpp"

namespace kms::integrations::aws_xks {
namespace {

std::vector<SigV4Credential> credentialsOf(const config::AwsXksConfig& config) {
  std::vector<SigV4Credential> out{{config.primary.accessKeyId, config.primary.secretAccessKey}};
  if (!config.secondary.accessKeyId.empty()) {
    out.push_back({config.secondary.accessKeyId, config.secondary.secretAccessKey});
  }
  return out;
}

std::string baseOf(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix + "/kms/xks/v1";
}

}  // namespace

XksRoutes::XksRoutes(const config::AwsXksConfig& config, ops::RequestProcessor& processor, hsm::HsmRegistry* hsm)
    : base_(baseOf(config.uriPathPrefix)),
      verifier_(credentialsOf(config), config.region, config.service),
      operations_(processor, config.user),
      health_(std::make_unique<XksHealth>(hsm, config.healthProbeInterval)) {}

Poco::Net::HTTPRequestHandler* XksRoutes::route(const Poco::Net::HTTPServerRequest& request) const {
  const std::string& uri = request.getURI();
  const std::string_view path = std::string_view(uri).substr(0, uri.find('?'));
  if (path.find("/kms/xks/") == std::string_view::npos) return nullptr;
  return new XksRequestHandler(*this);
}

}  // namespace kms::integrations::aws_xks
