#pragma once
// kmsd's cryptographic operations are single-part: a request naming a multi-part stream
// (CorrelationValue, InitIndicator, FinalIndicator) is refused before its key is looked up.
#include <string_view>

#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::crypto {

// FeatureNotSupported "multi-part <operation> is not supported".
void refuseMultiPart(const kmip::Ttlv& payload, std::string_view operation);

}  // namespace kms::ops::crypto
