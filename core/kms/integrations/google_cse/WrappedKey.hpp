#pragma once
// kmsd's own format of the opaque wrapped_key (and wrapped_private_key) blobs it hands Google,
// which stores them beside the encrypted documents and sends them back on every unwrap:
//
//   version 0x01 | kind (1 DEK, 2 private key) | uid length (2 bytes, big-endian) | uid |
//   IV (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)
//
// `uid` names the kmsd key that wrapped the blob, so that changing google_cse_key_id (a new
// wrapping key) leaves every older blob readable, on any node of a cluster, after restarts.
// The ciphertext holds the perimeter_id given at wrap time (2-byte length, then its bytes)
// followed by the key itself: the resource key hash needs the perimeter, and a blob must carry
// "the only copy" of its key. The GCM additional data binds the header (version, kind, uid) and
// the resource name: a blob unwraps only for the resource it was wrapped for, and a private key
// blob is never mistaken for a DEK.
#include <cstdint>
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::google_cse {

class WrappedKey {
 public:
  enum class Kind : std::uint8_t { Dek = 1, PrivateKey = 2 };
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kIvBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr std::size_t kMaxUid = 512;
  static constexpr std::size_t kMaxPerimeter = 128;  // Google's limit for perimeter_id

  Kind kind = Kind::Dek;
  std::string uid;  // the wrapping key
  SecureBytes iv;
  SecureBytes ciphertext;
  SecureBytes tag;

  // The GCM additional data of a blob of this header for `resourceName`.
  [[nodiscard]] SecureBytes additionalData(std::string_view resourceName) const;
  [[nodiscard]] SecureBytes serialize() const;
  // Throws CseRefusal(400) when `blob` is not a blob of this format.
  [[nodiscard]] static WrappedKey parse(const SecureBytes& blob);

  // The plaintext inside: the perimeter, then the key.
  [[nodiscard]] static SecureBytes payload(std::string_view perimeterId, const SecureBytes& key);
  struct Payload {
    std::string perimeterId;
    SecureBytes key;
  };
  // Throws CseRefusal(400) when `plaintext` is not a payload (a blob of a later format).
  [[nodiscard]] static Payload readPayload(const SecureBytes& plaintext);
};

}  // namespace kms::integrations::google_cse
