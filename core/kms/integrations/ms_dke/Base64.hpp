#pragma once
// Standard base64 (RFC 4648 section 4, with padding), the encoding of DKE's "n" and of the
// decrypt request's and answer's "value" (the reference service uses .NET's Convert).
#include <optional>
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::ms_dke {

class Base64 {
 public:
  [[nodiscard]] static std::string encode(const SecureBytes& bytes);
  // nullopt when `text` is not base64 (padding may be left out; whitespace is not allowed).
  [[nodiscard]] static std::optional<SecureBytes> decode(std::string_view text);
};

}  // namespace kms::integrations::ms_dke
