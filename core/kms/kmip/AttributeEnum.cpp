#include "kms/kmip/AttributeEnum.hpp"

namespace kms::kmip::attribute {

std::optional<std::string> valueTag(std::span<const Ttlv> before) {
  for (const Ttlv& s : before) {
    if (s.tag() != "AttributeName" || s.type() != ItemType::TextString) continue;
    // The KMIP name normalisation for plain words: capitalise each, drop the spaces.
    std::string tag;
    bool wordStart = true;
    for (char c : s.text()) {
      if (c == ' ') {
        wordStart = true;
        continue;
      }
      tag += wordStart && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      wordStart = false;
    }
    return tag;
  }
  return std::nullopt;
}

}  // namespace kms::kmip::attribute
