#pragma once
// Names and numbers of KMIP tags, enumerations and bit masks (KMIP 2.1, plus the 1.4 tags
// 2.x removed), for the codecs: JSON and XML carry names, binary TTLV carries numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kms::kmip {

class Dictionary {
 public:
  static std::optional<std::uint32_t> tagCode(std::string_view tagName) noexcept;
  static std::optional<std::string_view> tagName(std::uint32_t code) noexcept;

  // The value of enumeration name `valueName` for an Enumeration item tagged `tag`
  // (AttributeReference enumerations hold tag codes and resolve tag names). Besides the
  // specification's spelling, the one without underscores, dashes, dots and case that Cosmian's
  // clients send is accepted (SHA256 for SHA_256, PKCS1v15 for PKCS1_V1_5) where it names one
  // value only; enumName always answers the specification's.
  static std::optional<std::uint32_t> enumValue(std::string_view tag, std::string_view valueName) noexcept;
  static std::optional<std::string_view> enumName(std::string_view tag, std::uint32_t value) noexcept;

  // The top-level tags of Cosmian's bare JSON form: an Operation name ("Create") or that name
  // followed by "Response". They have no tag code, so they exist only in JSON.
  static bool isOperationTag(std::string_view tag) noexcept;

  // The name of an enumeration value for messages, or "0x%08X" when it has none.
  static std::string enumText(std::string_view tag, std::uint32_t value);

  // Integer items that are bit masks (CryptographicUsageMask, ...) accept bit names.
  static bool isMask(std::string_view tag) noexcept;
  static std::optional<std::uint32_t> maskBit(std::string_view tag, std::string_view bitName) noexcept;
  // "Encrypt|Decrypt" for a mask value made only of named bits; nullopt otherwise.
  static std::optional<std::string> maskNames(std::string_view tag, std::uint32_t value);
};

}  // namespace kms::kmip
