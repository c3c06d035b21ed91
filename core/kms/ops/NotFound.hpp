#pragma once
// The one answer for "no such object" and "not yours" (issue 22, the no-oracle rule): every
// path that refuses an object a user may not see throws this, so that a missing object, an
// object of someone else and a key of an HSM the caller does not administer read alike, byte
// for byte (tests/integration/test_sec_oracles.py compares them).
#include <string>

#include "kms/Exception.hpp"

namespace kms::ops {

// Exception(NotFound, "object '<uid>' not found"); a uid longer than 128 characters is shown
// cut to its first 128 and "...", so that the answer does not echo a huge request field.
[[nodiscard]] Exception notFound(const std::string& uid);

}  // namespace kms::ops
