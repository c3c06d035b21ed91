#include "kms/config/Printable.hpp"

#include <fmt/format.h>

namespace kms::config {

std::string printable(std::string_view text) {
  constexpr std::size_t kMaxShown = 120;
  std::string out;
  for (char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (text.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace kms::config
