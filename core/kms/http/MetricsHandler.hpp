#pragma once
// GET /metrics (privileged users, HSM admins and metrics_readers; without authentication the
// default user; with metrics_loopback_unauthenticated, any loopback peer): Prometheus text format. Counters a test or
// an operator reads to see the cache at work: driver calls per HSM instance (a cache hit makes none), hits, misses,
// unwraps, evictions, invalidations and the current number of entries. Numbers only: no UID, no key, no user.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class MetricsHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit MetricsHandler(const HandlerContext& context);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
};

}  // namespace kms::http
