#pragma once
// Envelope wrapping under an HSM AES key, for material the token will not key-wrap itself
// (SoftHSM2's CKM_AES_KEY_WRAP_PAD takes whole 8-byte blocks only; an RSA private key's
// PKCS#1 encoding often is not): a fresh AES-256 key wraps the material in kmsd (RFC 5649), the
// HSM key wraps that ephemeral key (RFC 5649: 32 bytes is whole blocks, every token takes it),
// and the ephemeral key is wiped. The AES analogue of RSA-AES key wrapping (CKM_RSA_AES_KEY_WRAP).
//
// Stored value: HSM-wrapped ephemeral key (exactly kHeadBytes = 40 bytes, RFC 5649 of 32 bytes)
// followed by the RFC 5649 wrap of the material under it. The head's length is fixed, so the
// split is unambiguous; WrapScheme records the scheme (KeyRoleType KEK).
//
// Why not AES-GCM (what kmsd did before): GCM's keystream depends only on the key and the IV,
// and the IV must be stored with the wrapped key; anyone who can obtain GCM output under the
// wrapping key for that IV (KMIP Encrypt with a chosen IV) recovers the material by XOR. Key
// wrap (RFC 5649) has no IV to replay and is not offered by Encrypt (docs/wrapped-keys.md).
#include <cstddef>
#include <functional>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::ops::wrapping {

class AesEnvelope {
 public:
  static constexpr std::size_t kEphemeralBytes = 32;
  static constexpr std::size_t kHeadBytes = kEphemeralBytes + 8;

  // wrapHead: the HSM wraps the ephemeral key (RFC 5649). InternalError when it answers
  // anything but kHeadBytes bytes.
  using WrapHead = std::function<keys::Bytes(const keys::SecretBytes& ephemeral)>;
  using UnwrapHead = std::function<keys::SecretBytes(const keys::Bytes& head)>;

  [[nodiscard]] static keys::Bytes seal(const keys::SecretBytes& material, const WrapHead& wrapHead);
  // InternalError for a value too short to hold a head and a body; CryptographicFailure when
  // either integrity check fails.
  [[nodiscard]] static keys::SecretBytes open(keys::ByteView wrapped, const UnwrapHead& unwrapHead);
};

}  // namespace kms::ops::wrapping
