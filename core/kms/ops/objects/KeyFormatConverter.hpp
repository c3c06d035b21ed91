#pragma once
// Key blocks in the formats Get/Export may ask for, and conversions between them.
//
//   SymmetricKey  Raw <-> TransparentSymmetricKey
//   PrivateKey    PKCS_1 <-> PKCS_8 <-> TransparentRSAPrivateKey
//   PublicKey     PKCS_1 <-> X_509 (SPKI) <-> PKCS_8 (SPKI, Cosmian's name) <-> TransparentRSAPublicKey
//
// Any other pair is KeyFormatNotSupported. The converted block keeps the source block's other
// fields (KeyCompressionType, KeyValue Attributes) and carries CryptographicAlgorithm and
// CryptographicLength.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::objects {

[[nodiscard]] kmip::Ttlv symmetricKeyBlock(const keys::SecretBytes& key, kmip::KeyFormatType format,
                                           kmip::CryptographicAlgorithm algorithm = kmip::CryptographicAlgorithm::AES);
[[nodiscard]] kmip::Ttlv rsaPrivateKeyBlock(keys::ByteView pkcs1Der, kmip::KeyFormatType format);
[[nodiscard]] kmip::Ttlv rsaPublicKeyBlock(keys::ByteView pkcs1Der, kmip::KeyFormatType format);

// `object` (a SymmetricKey, PrivateKey or PublicKey structure) with its KeyBlock in `target`.
// Returns a plain copy when the block is already in `target`. Wrapped key blocks are only
// returned as they are (FeatureNotSupported otherwise).
[[nodiscard]] kmip::Ttlv convert(kmip::ObjectType type, const kmip::Ttlv& object, kmip::KeyFormatType target);

// What Get and Export return for `object`, given the request payload (KeyFormatType,
// KeyWrapType, KeyWrappingSpecification, KeyCompressionType):
// - no key material (a Destroyed object): Get -> WrongKeyLifecycleState (the spec's "Key Value
//   Not Present" has no kms::ErrorCode yet); Export (allowDestroyed) returns the empty object;
// - Sensitive true -> Sensitive (unless the block is wrapped), Extractable false -> NotExtractable;
// - KeyWrappingSpecification (wrap on export) -> FeatureNotSupported for now; KeyWrapType
//   NotWrapped/AsRegistered are accepted (a server-wrapped key asked NotWrapped was unwrapped
//   before, by wrapping::KeyWrapper::unwrapIfAsked);
// - the requested KeyFormatType (default: as stored) via convert().
// The result is tagged by the object type name ("SymmetricKey", ...), as in the OASIS vectors.
[[nodiscard]] kmip::Ttlv objectToReturn(const ManagedObject& object, const kmip::Ttlv& payload, bool allowDestroyed);

}  // namespace kms::ops::objects
