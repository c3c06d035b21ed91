#pragma once
// SHA-256 and HMAC-SHA-256 of a line, as lowercase hex: the chain's link and the line's mac.
#include <span>
#include <string>
#include <string_view>

namespace kms::audit {

class Digest {
 public:
  static constexpr std::size_t kHexSize = 64;
  // The `prev` of the first line of a chain.
  static const std::string& zero();
  [[nodiscard]] static std::string sha256(std::string_view text);
  [[nodiscard]] static std::string hmacSha256(std::span<const std::uint8_t> key, std::string_view text);
  // Compares two hex digests in time independent of where they differ.
  [[nodiscard]] static bool same(std::string_view left, std::string_view right) noexcept;
};

}  // namespace kms::audit
