#pragma once
// The project version from CMake's project(), so that --version, GET /version and the
// start-up line can never disagree.
#include <string_view>

namespace kms::config {

inline constexpr std::string_view kVersion = KMS_VERSION;

}  // namespace kms::config
