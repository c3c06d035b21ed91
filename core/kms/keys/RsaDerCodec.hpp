#pragma once
// Reads and writes RSA keys in their four DER forms through OSSL_DECODER/OSSL_ENCODER. Each
// read names its exact structure, so a PKCS#8 blob is never accepted where PKCS#1 is expected,
// and trailing bytes after the DER are refused.
#include <optional>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

enum class RsaDerForm {
  Pkcs1Private,  // RSAPrivateKey (RFC 8017 A.1.2), PEM "RSA PRIVATE KEY"
  Pkcs8Private,  // unencrypted PrivateKeyInfo (RFC 5208), PEM "PRIVATE KEY"
  Pkcs1Public,   // RSAPublicKey (RFC 8017 A.1.1), PEM "RSA PUBLIC KEY"
  Spki,          // SubjectPublicKeyInfo (RFC 5280), PEM "PUBLIC KEY"
};

[[nodiscard]] constexpr bool isPrivate(RsaDerForm form) noexcept {
  return form == RsaDerForm::Pkcs1Private || form == RsaDerForm::Pkcs8Private;
}

class RsaDerCodec {
 public:
  // Throws InvalidField when der is not an RSA key in that form.
  [[nodiscard]] static PkeyPtr decode(ByteView der, RsaDerForm form);
  // Null (and no exception) when der is not an RSA key in that form.
  [[nodiscard]] static PkeyPtr tryDecode(ByteView der, RsaDerForm form);
  // Tries the four forms; throws InvalidField when none fits.
  [[nodiscard]] static PkeyPtr decodeAny(ByteView der, RsaDerForm& formOut);
  [[nodiscard]] static std::optional<RsaDerForm> detect(ByteView der);

  [[nodiscard]] static SecretBytes encodePrivate(const EVP_PKEY* key, RsaDerForm form);
  [[nodiscard]] static Bytes encodePublic(const EVP_PKEY* key, RsaDerForm form);

  // True when key holds the private exponent, not only (n, e).
  [[nodiscard]] static bool hasPrivateHalf(const EVP_PKEY* key);

  [[nodiscard]] static const char* formName(RsaDerForm form) noexcept;
};

}  // namespace kms::keys
