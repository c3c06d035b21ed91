#pragma once
// What request handlers need, owned elsewhere (main, or a test) and outliving the server.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "kms/kmip/DecodeLimits.hpp"

namespace Poco::Net {
class HTTPRequestHandler;
class HTTPServerRequest;
}  // namespace Poco::Net

namespace kms::ops {
class RequestProcessor;
}
namespace kms::store {
class ObjectStore;
}

namespace kms::hsm {
class HsmRegistry;
}
namespace kms::auth {
class AccessPolicy;
class ApiTokens;
}  // namespace kms::auth

namespace kms::net {
class InflightBudget;
class RestService;
class SocketMetrics;
}  // namespace kms::net

namespace kms::http {

class Authenticator;

// A cloud integration's routes: the path `prefix` and every path below it go to `service`.
struct RestRoute {
  std::string prefix;  // "/ms_dke"
  net::RestService* service = nullptr;
};

struct HandlerContext {
  ops::RequestProcessor& processor;
  store::ObjectStore& store;  // for /health
  Authenticator& authenticator;
  std::size_t maxBodySize = 0;
  kmip::DecodeLimits decodeLimits;
  // /me, /tokens, /hsm/status, /metrics; nullptr: everyone may create, nobody administers
  // tokens, the default user reads status and metrics. (/access/* and /admin/rewrap go through
  // the processor, which holds its own copy of the policy and the HSMs.)
  const auth::AccessPolicy* accessPolicy = nullptr;
  // /tokens; nullptr when API tokens are not enabled (the routes then answer 404).
  auth::ApiTokens* apiTokens = nullptr;
  // /hsm/status; nullptr when no HSM is configured.
  hsm::HsmRegistry* hsm = nullptr;
  // What KMIP requests in flight may hold in memory together; nullptr: HttpServer makes its own.
  net::InflightBudget* inflight = nullptr;
  // /metrics shows the KMIP socket server's counters too; nullptr when it does not run.
  const net::SocketMetrics* socketMetrics = nullptr;
  // The enabled integrations (Microsoft DKE, ...); they authenticate their callers themselves.
  std::vector<RestRoute> restRoutes{};
  // The cloud integrations' routes (integrations/), asked before kmsd's own: each returns a new
  // handler for a path it serves, nullptr otherwise. They authenticate their requests
  // themselves (AWS SigV4, ...), as their APIs prescribe.
  std::vector<std::function<Poco::Net::HTTPRequestHandler*(const Poco::Net::HTTPServerRequest&)>> integrationRoutes{};
};

}  // namespace kms::http
