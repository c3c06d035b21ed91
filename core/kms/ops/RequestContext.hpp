#pragma once
#include <string>

namespace kms::ops {

// Who is asking; filled by the transport after authentication.
struct RequestContext {
  std::string user;
};

}  // namespace kms::ops
