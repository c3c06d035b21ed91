#pragma once
// Hexadecimal text for the text codecs: ByteString values are bare hex ("C50F77"), numbers
// are "0x"-prefixed. Parsers return false instead of throwing so that callers can name the
// path of the bad node in their own error.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::kmip::hex {

// Value of one hex digit, or -1.
inline int digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Even-length hex of either case (empty allowed) appended to `out`.
bool decodeBytes(std::string_view text, kms::SecureBytes& out);

// "0x" followed by 1 to `maxDigits` hex digits, as an unsigned bit pattern.
bool parseNumber(std::string_view text, std::size_t maxDigits, std::uint64_t& out) noexcept;

// True when `text` starts with "0x" or "0X".
inline bool hasPrefix(std::string_view text) noexcept {
  return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

// Uppercase hex of `bytes`, no prefix.
void appendBytes(std::string& out, std::span<const std::uint8_t> bytes);
// "0x" and exactly `digits` uppercase hex digits of the low bits of `value`.
void appendNumber(std::string& out, std::uint64_t value, unsigned digits);

}  // namespace kms::kmip::hex
