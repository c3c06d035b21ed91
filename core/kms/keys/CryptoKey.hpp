#pragma once
// Key material in kmsd's memory: something that encrypts, decrypts, signs and verifies, or
// computes MACs, with OpenSSL 3 EVP. Keys inside an HSM never come here: the operations use both kinds through one
// interface of their own (ops/crypto/UsableKey.hpp), so handlers never know where a key lives.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kms/Exception.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

// Ciphertexts, IVs and tags too: one buffer type with TTLV byte strings and key material, so
// bytes move between them without conversion and whatever held a secret is wiped on release.
using Bytes = SecretBytes;
using ByteView = std::span<const std::uint8_t>;

enum class CipherMode { None, GCM, CBC, ECB };
enum class Padding { None, Pkcs5, Oaep, Pkcs1v15, Pss };
enum class Hash { Sha1, Sha224, Sha256, Sha384, Sha512 };

struct CipherParams {
  CipherMode mode = CipherMode::GCM;  // symmetric keys; None for RSA
  Padding padding = Padding::None;    // Pkcs5 for CBC/ECB; Oaep or Pkcs1v15 for RSA
  Hash hash = Hash::Sha256;           // OAEP digest
  Hash mgfHash = Hash::Sha256;        // OAEP MGF1 digest
  std::optional<Bytes> iv;            // GCM: generated (12 bytes) when absent; CBC: required on decrypt
  Bytes aad;                          // GCM additional authenticated data
  std::size_t tagLength = 16;         // GCM tag length in bytes (4..16)
  Bytes oaepLabel;
};

struct SignParams {
  Padding padding = Padding::Pkcs1v15;  // Pkcs1v15 or Pss
  Hash hash = Hash::Sha256;
  Hash mgfHash = Hash::Sha256;       // PSS MGF1 digest
  std::optional<int> pssSaltLength;  // default: the digest length
};

struct EncryptResult {
  Bytes ciphertext;
  Bytes iv;   // the IV used (GCM/CBC), empty otherwise
  Bytes tag;  // GCM tag, empty otherwise
};

class CryptoKey {
 public:
  virtual ~CryptoKey() = default;

  // Failures throw kms::Exception: CryptographicFailure for a bad tag/padding/ciphertext,
  // BadCryptographicParameters or FeatureNotSupported for parameters the key cannot use,
  // IllegalObjectType when the key cannot do the operation at all (e.g. sign with AES).
  [[nodiscard]] virtual EncryptResult encrypt(const CipherParams& params, ByteView plaintext) const = 0;
  [[nodiscard]] virtual SecretBytes decrypt(const CipherParams& params, ByteView ciphertext, ByteView tag) const = 0;
  [[nodiscard]] virtual Bytes sign(const SignParams& params, ByteView data) const = 0;
  // False when the signature does not verify; throws only for unusable parameters.
  [[nodiscard]] virtual bool verify(const SignParams& params, ByteView data, ByteView signature) const = 0;
  // The MAC of `data` (HMAC keys, with their own digest); other keys: IllegalObjectType.
  [[nodiscard]] virtual Bytes mac(ByteView /*data*/) const {
    throw Exception(ErrorCode::IllegalObjectType, "only HMAC keys compute MACs");
  }
};

}  // namespace kms::keys
