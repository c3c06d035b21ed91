#pragma once
// Standard Base64 (RFC 4648 section 4, padded), as the XKS API uses it for every binary field.
// Decoding is strict: a character outside the alphabet, missing padding or stray bits after the
// last byte are refused, so that one value has one encoding (a changed character never decodes
// to the same bytes).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::aws_xks {

class Base64 {
 public:
  using Bytes = kms::SecureBytes;  // decoded fields may be plaintext
  [[nodiscard]] static std::string encode(const std::uint8_t* data, std::size_t size);
  [[nodiscard]] static std::string encode(const Bytes& data) { return encode(data.data(), data.size()); }
  // nullopt when `text` is not canonical padded Base64.
  [[nodiscard]] static std::optional<Bytes> decode(std::string_view text);
};

}  // namespace kms::integrations::aws_xks
