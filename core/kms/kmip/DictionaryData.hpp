#pragma once
// Raw tables generated from the KMIP specifications (see tools/gen_kmip_dictionary.py).
#include <cstdint>
#include <span>
#include <string_view>

namespace kms::kmip::data {

struct TagEntry {
  std::string_view name;
  std::uint32_t code;
};

struct EnumEntry {
  std::string_view enumeration;  // enumeration (or mask) name, e.g. "ObjectType"
  std::string_view name;         // value name, e.g. "SymmetricKey"
  std::uint32_t value;
};

struct TagEnumEntry {
  std::string_view tag;          // a tag whose Enumeration values are those of...
  std::string_view enumeration;  // ...this enumeration
};

extern const std::span<const TagEntry> kTags;
extern const std::span<const EnumEntry> kEnumValues;
extern const std::span<const TagEnumEntry> kTagEnums;
extern const std::span<const EnumEntry> kMaskBits;

}  // namespace kms::kmip::data
