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

namespace kms::http {

class Authenticator;

struct HandlerContext {
  ops::RequestProcessor& processor;
  store::ObjectStore& store;  // for /health
  Authenticator& authenticator;
  std::size_t maxBodySize;
  kmip::DecodeLimits decodeLimits;
};

}  // namespace kms::http
