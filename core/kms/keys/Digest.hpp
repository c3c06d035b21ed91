#pragma once
// One-shot message digests (SHA-1 and SHA-2).
#include "kms/keys/CryptoKey.hpp"

namespace kms::keys {

class Digest {
 public:
  [[nodiscard]] static Bytes digest(Hash hash, ByteView data);
  [[nodiscard]] static Bytes sha256(ByteView data);
  [[nodiscard]] static std::size_t length(Hash hash) noexcept;
};

}  // namespace kms::keys
