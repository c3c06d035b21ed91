#pragma once
// Attribute handling shared by the key-creating handlers (Create, CreateKeyPair, Register,
// Import): client attributes in, the key's own attributes set after objects::NewObject::make.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/objects/ManagedObject.hpp"

namespace kms::ops::attributes {

// A copy of the request's Attributes (an empty "Attributes" structure when absent), each
// value type-checked against KMIP 2.1 section 4 (InvalidField), KMIP 1.x entries of standard
// attributes in their 2.1 form; without KeyFormatType, which the server sets from the key block
// (4.26), nor AlwaysSensitive/NeverExtractable, which only the server knows (4.3, 4.33).
[[nodiscard]] kmip::Ttlv clientAttributes(const kmip::Ttlv* attributes);

// CreateKeyPair: CommonAttributes overlaid by the side's attributes; single-instance attributes
// of the side win, multi-instance ones (Name, Link, vendor Attribute, CryptographicParameters,
// ...) are the union (KMIP 2.1 6.1.9).
[[nodiscard]] kmip::Ttlv mergeKeyPairAttributes(const kmip::Ttlv* common, const kmip::Ttlv* side);

// Default CryptographicUsageMask when the client gave none (KMIP 2.1 4 Table 28: the server
// SHALL supply one): SymmetricKey Encrypt|Decrypt|WrapKey|UnwrapKey, PrivateKey
// Sign|Decrypt|UnwrapKey, PublicKey Verify|Encrypt|WrapKey, SecretData DeriveKey.
void applyDefaultUsageMask(kmip::Ttlv& attributes, kmip::ObjectType type);

// QuantumSafe true in the attributes: a key of that kind must be quantum safe.
[[nodiscard]] bool quantumSafeRequested(const kmip::Ttlv& attributes);

// After objects::NewObject::make: CryptographicAlgorithm, CryptographicLength and KeyFormatType from the
// key material; Sensitive (default false) and Extractable (default true) with AlwaysSensitive
// and NeverExtractable (4.3, 4.33).
void finishKeyAttributes(objects::ManagedObject& object, const objects::KeyFacts& facts);

// Sets RandomNumberGenerator on a key the server generated (KMIP 2.1 4.46: the server SHALL):
// OpenSSL 3's default generator, a CTR-DRBG over AES-256.
void markServerGenerated(objects::ManagedObject& object);

// Appends Link {LinkType, LinkedObjectIdentifier} to the object's attributes.
void addLink(objects::ManagedObject& object, kmip::LinkType type, const std::string& linkedUid);

[[nodiscard]] kmip::Ttlv responsePayload(std::vector<kmip::Ttlv> items);

// A client-supplied object (Register, Import): its type, the object (re-tagged with its type
// name), the client's attributes and what the key material is. Checks that the key material
// parses (InvalidField otherwise) and that CryptographicAlgorithm/Length given as attributes
// agree with it.
struct ClientObject {
  kmip::ObjectType type = kmip::ObjectType::SymmetricKey;
  kmip::Ttlv object;
  kmip::Ttlv attributes;
  objects::KeyFacts facts;
  std::string wrappingKeyUid;  // set when the key block is wrapped under a known key
};
[[nodiscard]] ClientObject readClientObject(const kmip::Ttlv& payload);

}  // namespace kms::ops::attributes
