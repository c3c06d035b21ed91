#include "kms/ops/crypto/MultiPart.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::ops::crypto {

void refuseMultiPart(const kmip::Ttlv& payload, std::string_view operation) {
  if (payload.find("CorrelationValue") != nullptr || payload.find("InitIndicator") != nullptr ||
      payload.find("FinalIndicator") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, fmt::format("multi-part {} is not supported", operation));
  }
}

}  // namespace kms::ops::crypto
