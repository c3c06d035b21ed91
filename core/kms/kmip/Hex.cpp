#include "kms/kmip/Hex.hpp"

namespace kms::kmip::hex {
namespace {

constexpr char kDigits[] = "0123456789ABCDEF";

}  // namespace

bool decodeBytes(std::string_view text, kms::SecureBytes& out) {
  if (text.size() % 2 != 0) return false;
  const std::size_t start = out.size();
  out.resize(start + text.size() / 2);
  std::uint8_t* p = out.data() + start;
  // Invalid digits are OR-ed into one flag and checked once: key material is the bulk of
  // what this decodes, and a branch per digit costs more than the digits.
  int bad = 0;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = digit(text[i]);
    const int low = digit(text[i + 1]);
    bad |= high | low;
    *p++ = static_cast<std::uint8_t>((static_cast<unsigned>(high) << 4) | static_cast<unsigned>(low));
  }
  if (bad < 0) {
    out.resize(start);
    return false;
  }
  return true;
}

bool parseNumber(std::string_view text, std::size_t maxDigits, std::uint64_t& out) noexcept {
  if (!hasPrefix(text)) return false;
  text.remove_prefix(2);
  if (text.empty() || text.size() > maxDigits) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    const int d = digit(c);
    if (d < 0) return false;
    value = (value << 4) | static_cast<std::uint64_t>(d);
  }
  out = value;
  return true;
}

void appendBytes(std::string& out, std::span<const std::uint8_t> bytes) {
  const std::size_t start = out.size();
  out.resize(start + bytes.size() * 2);
  char* p = out.data() + start;
  for (std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0x0F];
  }
}

void appendNumber(std::string& out, std::uint64_t value, unsigned digits) {
  out += "0x";
  for (unsigned i = digits; i-- > 0;) out += kDigits[(value >> (i * 4)) & 0x0F];
}

}  // namespace kms::kmip::hex
