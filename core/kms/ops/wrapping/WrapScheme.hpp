#pragma once
// How a server-wrapped key block was wrapped: the scheme is read back from the
// CryptographicParameters kmsd stored in its KeyWrappingData, and those parameters are written
// from the scheme, in this one place, so that every stored form maps to exactly one scheme.
//
// Stored CryptographicParameters (inside KeyWrappingData/EncryptionKeyInformation):
// - AesKeyWrapPad: BlockCipherMode AESKeyWrapPadding, CryptographicAlgorithm AES.
// - AesEnvelope:   the same plus KeyRoleType KEK: the HSM key wrapped a key-encryption key (a
//                  fresh AES-256 key) rather than the material; see AesEnvelope.hpp.
// - LegacyAesGcm:  BlockCipherMode GCM (IVLength, TagLength), IV in IVCounterNonce. Written by
//                  kmsd before issue 22 only; still read, never written again.
// - RsaOaep:       PaddingMethod OAEP, HashingAlgorithm, MaskGenerator, MaskGeneratorHashing...
// - RsaAes:        the OAEP parameters plus BlockCipherMode AESKeyWrapPadding.
#include <string_view>

#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::wrapping {

class WrapScheme {
 public:
  enum class Kind { AesKeyWrapPad, AesEnvelope, LegacyAesGcm, RsaOaep, RsaAes };

  // The scheme of a stored KeyWrappingData; InternalError when it names none of them.
  [[nodiscard]] static Kind of(const kmip::Ttlv& wrappingData);
  // The CryptographicParameters kmsd stores for an AES wrapping key's schemes (AesKeyWrapPad or
  // AesEnvelope); InternalError for the others (RSA parameters depend on the hash chosen, and
  // AES-GCM is never written).
  [[nodiscard]] static kmip::Ttlv aesParameters(Kind kind);
  [[nodiscard]] static std::string_view name(Kind kind) noexcept;
};

}  // namespace kms::ops::wrapping
