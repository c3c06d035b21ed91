#pragma once
// Independent answers from OpenSSL, so that a driver is checked against a second
// implementation and not only against itself.
#include <cstdint>
#include <string>
#include <vector>

namespace kms::testkit {

using Bytes = std::vector<std::uint8_t>;

class OpenSslCheck {
 public:
  // AES-GCM of `plain` under a raw key: ciphertext || tag (16 bytes).
  static Bytes aesGcmEncrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plain);
  // RFC 5649 AES key wrap with padding.
  static Bytes aesKeyWrapPad(const Bytes& key, const Bytes& plain);
  // RSA-OAEP encryption with a SubjectPublicKeyInfo DER; hashName "SHA256", "SHA1", ...
  static Bytes rsaOaepEncrypt(const Bytes& spki, const std::string& hashName, const Bytes& plain);
  // Verifies an RSA PKCS#1 v1.5 (pss false) or PSS (pss true, any salt length) signature.
  static bool rsaVerify(const Bytes& spki, const std::string& hashName, bool pss, const Bytes& data,
                        const Bytes& signature);
  // Modulus bits of an SPKI DER, 0 when it is not an RSA public key.
  static int rsaBits(const Bytes& spki);
};

}  // namespace kms::testkit
