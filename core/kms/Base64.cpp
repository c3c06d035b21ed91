#include "kms/Base64.hpp"

#include <array>

namespace kms {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> reverseTable() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr auto kReverse = reverseTable();

// Decodes a text whose length is a multiple of four, its padding (if any) in the last group.
std::optional<Base64::Bytes> decodeGroups(std::string_view text, std::size_t trailingPadding) {
  Base64::Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::size_t padding = 0;
    if (last) {
      padding = trailingPadding;
      if (padding == 0 && text[i + 3] == '=') padding = text[i + 2] == '=' ? 2 : 1;
    }
    std::uint32_t v = 0;
    for (std::size_t j = 0; j < 4 - padding; ++j) {
      const std::int8_t digit = kReverse[static_cast<unsigned char>(text[i + j])];
      if (digit < 0) return std::nullopt;
      v |= static_cast<std::uint32_t>(digit) << (18 - 6 * j);
    }
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    if (padding < 2) out.push_back(static_cast<std::uint8_t>(v >> 8));
    if (padding < 1) out.push_back(static_cast<std::uint8_t>(v));
    // The bits the padding leaves over must be zero: else two texts would decode alike.
    if ((padding == 1 && (v & 0xFF) != 0) || (padding == 2 && (v & 0xFFFF) != 0)) return std::nullopt;
  }
  return out;
}

}  // namespace

std::string Base64::encode(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (const std::size_t rest = size - i; rest != 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<Base64::Bytes> Base64::decode(std::string_view text, Padding padding) {
  const std::size_t rest = text.size() % 4;
  if (rest == 0) return decodeGroups(text, 0);
  // Unpadded: the last group holds 2 or 3 characters (1 is never a whole byte).
  if (padding == Padding::Required || rest == 1 || text.find('=') != std::string_view::npos) return std::nullopt;
  std::string padded(text);
  padded.append(4 - rest, 'A');  // stands in for the padding; decodeGroups skips it
  auto out = decodeGroups(padded, 4 - rest);
  secureZero(padded.data(), padded.size());
  return out;
}

}  // namespace kms
