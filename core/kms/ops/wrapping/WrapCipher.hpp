#pragma once
// The wrap scheme, run in the HSM: which scheme wraps material under a given key, and undoing
// the scheme a stored block records (WrapScheme.hpp maps schemes to stored parameters).
//
// By the wrapping key's type:
// - AES: AES key wrap with padding (RFC 5649) when the token does it for this length, else the
//   envelope of AesEnvelope.hpp (the token key-wraps a fresh AES-256 key, which key-wraps the
//   material in kmsd). Never AES-GCM: keys kmsd wrapped with AES-GCM before are still
//   unwrapped (docs/wrapped-keys.md).
// - RSA: RSA-OAEP with the strongest hash the token supports whose OAEP capacity fits the key;
//   material too long for one OAEP block (an RSA private key) is RSA-AES wrapped (a fresh
//   AES-256 key wraps it in kmsd, RFC 5649; the HSM wraps that key with OAEP).
#include <string_view>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/wrapping/WrapScheme.hpp"
#include "kms/ops/wrapping/WrappingKey.hpp"

namespace kms::ops::wrapping {

struct Wrapped {
  keys::Bytes value;
  kmip::Ttlv parameters;  // the CryptographicParameters to store (they name the scheme)
};

class WrapCipher {
 public:
  // FeatureNotSupported when the token offers no scheme kmsd writes for this key and material.
  [[nodiscard]] static Wrapped wrap(const WrappingKey& key, const keys::SecretBytes& material);
  // `parameters`: the stored CryptographicParameters; `wrappingData`: the stored KeyWrappingData
  // (the legacy AES-GCM IV lives there); `objectUid` names the object in errors. InternalError
  // for a stored form kmsd did not write.
  [[nodiscard]] static keys::SecretBytes unwrap(const WrappingKey& key, WrapScheme::Kind scheme,
                                                const kmip::Ttlv& parameters, const kmip::Ttlv& wrappingData,
                                                const keys::Bytes& wrapped, std::string_view objectUid);
};

}  // namespace kms::ops::wrapping
