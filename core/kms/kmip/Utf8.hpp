#pragma once
// UTF-8 validation: KMIP Text Strings are UTF-8 (RFC 3629), and a JSON document carrying
// anything else would be rejected by the peer, so both codecs check it.
#include <cstddef>
#include <string_view>

namespace kms::kmip::utf8 {

// Length (1-4) of the well-formed sequence starting at text[pos], or 0 when it is
// truncated, overlong, a surrogate or above U+10FFFF. Requires pos < text.size().
std::size_t sequenceLength(std::string_view text, std::size_t pos) noexcept;

bool isValid(std::string_view text) noexcept;

}  // namespace kms::kmip::utf8
