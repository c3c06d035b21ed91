#pragma once
// One XKS request: the method (405 but for POST), SigV4 (header checks before the body is
// read, the signature over the body after), the route, the operation, and the answer: 200 with
// the operation's JSON, or the specification's status with {"errorName", "errorMessage"}.
// One log line per request with the outcome and the requestMetadata (never a plaintext).
#include <Poco/Net/HTTPRequestHandler.h>

namespace kms::integrations::aws_xks {

class XksRoutes;

class XksRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit XksRequestHandler(const XksRoutes& routes);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const XksRoutes& routes_;
};

}  // namespace kms::integrations::aws_xks
