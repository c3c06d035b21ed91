#pragma once
// Standard Base64 (RFC 4648 section 4), the encoding of every binary field of the cloud
// integrations' JSON APIs (AWS XKS, Microsoft DKE, Google CSE). Decoding is strict: a character
// outside the alphabet, whitespace, padding inside the text or stray bits after the last byte
// are refused, so that one value has one encoding (a changed character never decodes to the
// same bytes). Padding is required unless the caller's API lets clients leave it out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"

namespace kms {

class Base64 {
 public:
  using Bytes = SecureBytes;  // decoded fields may be plaintext or keys
  enum class Padding { Required, Optional };

  [[nodiscard]] static std::string encode(const std::uint8_t* data, std::size_t size);
  [[nodiscard]] static std::string encode(const Bytes& data) { return encode(data.data(), data.size()); }
  // nullopt when `text` is not canonical Base64 (with its padding, unless Padding::Optional).
  [[nodiscard]] static std::optional<Bytes> decode(std::string_view text, Padding padding = Padding::Required);
};

}  // namespace kms
