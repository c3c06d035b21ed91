#pragma once
// The two byte layouts the XKS specification fixes around AES-GCM:
// - the AAD given to the HSM: 2-byte big-endian length of additionalAuthenticatedData || it ||
//   1-byte length of ciphertextMetadata || it (Encrypt, "ciphertextMetadata"), so that neither
//   field can be moved into the other;
// - the ciphertextDataIntegrityValue: SHA-256 over aad || ciphertextMetadata || iv ||
//   ciphertext || tag (Appendix C; no lengths).
#include <cstdint>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::aws_xks {

class CiphertextBinding {
 public:
  using Bytes = kms::SecureBytes;
  static constexpr std::size_t kMaxAad = 8192;  // what the specification requires; the framing allows 65535
  static constexpr std::size_t kMaxMetadata = 20;

  [[nodiscard]] static Bytes gcmAad(const Bytes& aad, const Bytes& ciphertextMetadata);
  [[nodiscard]] static Bytes integrityValue(const Bytes& aad, const Bytes& ciphertextMetadata, const Bytes& iv,
                                            const Bytes& ciphertext, const Bytes& tag);
};

}  // namespace kms::integrations::aws_xks
