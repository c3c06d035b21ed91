#pragma once
// What request handlers need, owned elsewhere (main, or a test) and outliving the server.
#include <cstddef>

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

namespace kms::http {

class Authenticator;
class InflightBudget;

struct HandlerContext {
  ops::RequestProcessor& processor;
  store::ObjectStore& store;  // for /health and /access/*
  Authenticator& authenticator;
  std::size_t maxBodySize = 0;
  kmip::DecodeLimits decodeLimits;
  // /access/*, /me, /tokens, /hsm/status, /metrics; nullptr: everyone may create, owners
  // grant, nobody administers tokens, the default user reads status and metrics.
  const auth::AccessPolicy* accessPolicy = nullptr;
  // /tokens; nullptr when API tokens are not enabled (the routes then answer 404).
  auth::ApiTokens* apiTokens = nullptr;
  // /hsm/status and grants on hsm:: keys; nullptr when no HSM is configured.
  hsm::HsmRegistry* hsm = nullptr;
  // What KMIP requests in flight may hold in memory together; HttpServer sets its own.
  InflightBudget* inflight = nullptr;
};

}  // namespace kms::http
