#pragma once
// Routes a request to its handler: first the paths the enabled integrations serve
// (HandlerContext::restServices), then POST /kmip/2_1, POST /kmip, /access/*, GET /me, /tokens,
// GET /version, GET /health; a known path with another method is 405, anything else 404.
// /version and /health answer without authentication (load balancers probe them); /metrics
// too for loopback peers when metrics_loopback_unauthenticated is set (MetricsHandler).
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit RequestHandlerFactory(const HandlerContext& context);
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

 private:
  Poco::Net::HTTPRequestHandler* route(const Poco::Net::HTTPServerRequest& request);

  const HandlerContext context_;
};

}  // namespace kms::http
