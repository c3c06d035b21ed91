#pragma once
// KMIP CryptographicParameters (KMIP 2.1 section 4.16) -> keys::CipherParams / SignParams.
//
// Which parameters apply: the request's CryptographicParameters when present, taken as a
// whole; otherwise the key's own CryptographicParameters attribute (its first instance), as
// the OASIS vectors rely on (CS-BC-M-1: a key created with {BlockCipherMode ECB} encrypts with
// no parameters in the request); otherwise kmsd's defaults. The two are not merged field by
// field: a request that names parameters gets exactly those.
//
// kmsd's defaults (KMIP has none; these follow Cosmian KMS and PyKMIP):
// - AES: GCM, 16-byte tag, 12-byte random IV. CBC/ECB without a PaddingMethod: no padding
//   (CS-BC-M-1..6 encrypt one 16-byte block into one block).
// - RSA encryption: OAEP with SHA-256. OAEP's MGF1 digest, when not named, is the OAEP digest
//   (the spec says SHA-1, but every client that sends only HashingAlgorithm means MGF1 with
//   the same digest, and the OASIS vectors always name both).
// - RSA signatures: PKCS#1 v1.5 with SHA-256; PSS salt = digest length.
// - GCM TagLength outside 4..16 bytes is refused with GeneralFailure, as CS-BC-M-GCM-1 expects.
#include <cstdint>

#include "kms/keys/CryptoKey.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::crypto {

// The request's CryptographicParameters, else the first CryptographicParameters of
// `keyAttributes`, else nullptr.
[[nodiscard]] const kmip::Ttlv* effective(const kmip::Ttlv& payload, const kmip::Ttlv& keyAttributes);

enum class Direction { Encrypt, Decrypt };

struct CipherRequest {
  keys::CipherParams params;
  // Encrypt: the IV must be returned (it was not given by the client).
  bool returnIv = false;
};

// `algorithm` is the key's CryptographicAlgorithm (AES or RSA). Reads IVCounterNonce,
// AuthenticatedEncryptionAdditionalData from the payload. FeatureNotSupported for modes,
// paddings and digests kmsd does not implement, BadCryptographicParameters for
// contradictory ones, MissingData for a decryption without the IV its mode needs.
[[nodiscard]] CipherRequest cipherParams(kmip::CryptographicAlgorithm algorithm, const kmip::Ttlv* params,
                                         const kmip::Ttlv& payload, Direction direction);

[[nodiscard]] keys::SignParams signParams(kmip::CryptographicAlgorithm algorithm, const kmip::Ttlv* params);

// BadCryptographicParameters when `params` name a CryptographicAlgorithm other than the key's.
void checkAlgorithm(kmip::CryptographicAlgorithm keyAlgorithm, const kmip::Ttlv* params);

// KMIP HashingAlgorithm -> keys::Hash; FeatureNotSupported for MD5, SHA-3, ...
[[nodiscard]] keys::Hash hashOf(std::uint32_t hashingAlgorithm);

}  // namespace kms::ops::crypto
