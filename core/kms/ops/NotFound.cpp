#include "kms/ops/NotFound.hpp"

#include <fmt/format.h>

namespace kms::ops {

namespace {
constexpr std::size_t kShownUid = 128;
}  // namespace

Exception notFound(const std::string& uid) {
  const std::string shown = uid.size() > kShownUid ? uid.substr(0, kShownUid) + "..." : uid;
  return Exception(ErrorCode::NotFound, fmt::format("object '{}' not found", shown));
}

}  // namespace kms::ops
