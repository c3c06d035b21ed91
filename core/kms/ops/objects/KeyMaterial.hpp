#pragma once
// KMIP key objects (SymmetricKey, PrivateKey, PublicKey structures with their KeyBlock) ->
// key bytes and keys::CryptoKey.
//
// Accepted key formats:
// - SymmetricKey: Raw (KeyMaterial is the key bytes) and TransparentSymmetricKey
//   (KeyMaterial {Key}). AES keys must be 16, 24 or 32 bytes.
// - RSA PrivateKey: PKCS_1 (RSAPrivateKey DER), PKCS_8 (PrivateKeyInfo DER) and
//   TransparentRSAPrivateKey with all eight components (OpenSSL cannot use a key without
//   its CRT values; a key with only Modulus and PrivateExponent is KeyFormatNotSupported).
// - RSA PublicKey: PKCS_1 (RSAPublicKey DER), X_509 (SubjectPublicKeyInfo DER, as the OASIS
//   vectors send it), PKCS_8 (SubjectPublicKeyInfo, Cosmian's name for SPKI on a public key)
//   and TransparentRSAPublicKey.
// KMIP has no PEM key format: KeyMaterial always holds DER; PEM is the CLI's business.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::objects {

// "SymmetricKey", "PrivateKey", ...: the tag of an object of that type.
[[nodiscard]] std::string objectTag(kmip::ObjectType type);

// The object in a Register/Import payload: the child tagged by the type name, or "Object"
// (Cosmian clients). MissingData when absent.
[[nodiscard]] const kmip::Ttlv& objectIn(const kmip::Ttlv& payload, kmip::ObjectType type);

// The object's KeyBlock; InvalidField when the object has none.
[[nodiscard]] const kmip::Ttlv& keyBlock(const kmip::Ttlv& object);
[[nodiscard]] kmip::KeyFormatType formatOf(const kmip::Ttlv& keyBlock);
// True when the key value is wrapped (KeyWrappingData present or KeyValue a ByteString).
[[nodiscard]] bool isWrapped(const kmip::Ttlv& keyBlock);

// KMIP BigInteger values are two's complement: a positive number whose top bit is set takes a
// leading zero byte. These convert to and from unsigned big-endian magnitudes.
[[nodiscard]] keys::Bytes toBigInteger(keys::ByteView magnitude);
[[nodiscard]] keys::SecretBytes magnitudeOf(const kmip::Ttlv& bigInteger);  // InvalidField if negative

// Clear key material in a canonical form. InvalidField when the material does not parse,
// KeyFormatNotSupported for formats kmsd does not read, FeatureNotSupported for wrapped keys.
[[nodiscard]] keys::SecretBytes symmetricKeyBytes(const kmip::Ttlv& keyBlock);
[[nodiscard]] keys::SecretBytes rsaPrivatePkcs1(const kmip::Ttlv& keyBlock);
[[nodiscard]] keys::Bytes rsaPublicPkcs1(const kmip::Ttlv& keyBlock);

struct KeyFacts {
  kmip::KeyFormatType format = kmip::KeyFormatType::Raw;
  std::optional<kmip::CryptographicAlgorithm> algorithm;
  std::optional<std::int32_t> length;  // bits
};

// What a client-supplied object is, after checking that its key material parses (Register,
// Import). Wrapped keys and objects without a KeyBlock are taken as given, from the KeyBlock's
// CryptographicAlgorithm/Length. A CryptographicLength that contradicts the material is
// InvalidField.
[[nodiscard]] KeyFacts inspect(kmip::ObjectType type, const kmip::Ttlv& object);

// The key's algorithm: the CryptographicAlgorithm attribute, else the KeyBlock's.
[[nodiscard]] std::optional<kmip::CryptographicAlgorithm> algorithmOf(const ManagedObject& object);

// The digest of an HMAC algorithm (HMAC_SHA1 ... HMAC_SHA512); nullopt for any other.
[[nodiscard]] std::optional<keys::Hash> hmacHash(kmip::CryptographicAlgorithm algorithm) noexcept;

// A usable key. IllegalObjectType for objects that are not keys; FeatureNotSupported for
// algorithms other than AES, HMAC and RSA; InvalidField/WrongKeyLifecycleState when the key material
// is gone (a Destroyed object).
[[nodiscard]] std::unique_ptr<keys::CryptoKey> cryptoKey(const ManagedObject& object);

}  // namespace kms::ops::objects
