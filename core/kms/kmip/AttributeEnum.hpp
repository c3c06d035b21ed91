#pragma once
// KMIP 1.x carries an attribute as an AttributeName text ("Cryptographic Algorithm") and an
// AttributeValue. When that value is an Enumeration, its names are those of the attribute's
// own tag, which only the sibling AttributeName tells; the text codecs ask here.
#include <optional>
#include <span>
#include <string>

#include "kms/kmip/Ttlv.hpp"

namespace kms::kmip::attribute {

// The tag ("CryptographicAlgorithm") named by the first AttributeName among `before`, the
// siblings that precede the AttributeValue; nullopt when there is none. Only preceding
// ones count, so that a streaming decoder and the encoder agree.
std::optional<std::string> valueTag(std::span<const Ttlv> before);

}  // namespace kms::kmip::attribute
