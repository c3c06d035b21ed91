#pragma once
// Conversions between the DER and PEM forms of RSA keys that KMIP clients send and expect
// (KMIP Key Format Types PKCS#1, PKCS#8, X.509 SubjectPublicKeyInfo). Malformed input throws
// InvalidField; private key outputs are SecretBytes.
#include <optional>
#include <string>
#include <string_view>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/RsaDerCodec.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

class KeyFormats {
 public:
  [[nodiscard]] static SecretBytes pkcs1PrivateToPkcs8(ByteView pkcs1Der);
  [[nodiscard]] static SecretBytes pkcs8PrivateToPkcs1(ByteView pkcs8Der);
  [[nodiscard]] static Bytes pkcs1PublicToSpki(ByteView pkcs1Der);
  [[nodiscard]] static Bytes spkiToPkcs1Public(ByteView spkiDer);
  [[nodiscard]] static Bytes publicPkcs1FromPrivatePkcs1(ByteView privatePkcs1Der);

  // Modulus size of an RSA key in any of the four DER forms.
  [[nodiscard]] static int rsaModulusBits(ByteView der);
  // Which of the four RSA DER forms der is, if any.
  [[nodiscard]] static std::optional<RsaDerForm> detectRsaDer(ByteView der);
  [[nodiscard]] static bool isRsaPrivateDer(ByteView der);
  [[nodiscard]] static bool isRsaPublicDer(ByteView der);

  // label: "RSA PRIVATE KEY", "PRIVATE KEY", "RSA PUBLIC KEY", "PUBLIC KEY" or any other
  // RFC 7468 label (upper-case letters, digits, spaces). 64-column base64, trailing newline.
  // The string is not wiped: callers that PEM-encode a private key should wipe it after use.
  [[nodiscard]] static std::string derToPem(ByteView der, std::string_view label);
  // One PEM block (text before it is ignored, only whitespace may follow); labelOut receives
  // its label. Encrypted legacy PEM (Proc-Type headers) is refused.
  [[nodiscard]] static Bytes pemToDer(std::string_view pem, std::string& labelOut);
};

}  // namespace kms::keys
