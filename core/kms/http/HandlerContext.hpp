#pragma once
// What request handlers need, owned elsewhere (main, or a test) and outliving the server.
#include <cstddef>
#include <vector>

#include "kms/kmip/DecodeLimits.hpp"

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
  // The enabled cloud integrations (AWS XKS, Microsoft DKE, ...), asked in this order before
  // kmsd's own routes: a path one serves() is its own. They authenticate their callers
  // themselves, as their APIs prescribe (SigV4, Entra ID tokens).
  std::vector<net::RestService*> restServices{};
};

}  // namespace kms::http
