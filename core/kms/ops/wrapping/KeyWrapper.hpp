#pragma once
// KMS keys stored wrapped by HSM keys (DESIGN §8, product docs 002/003): the wrap and the unwrap
// run in the HSM; the database holds only the wrapped key block.
//
// Stored form of a wrapped key block (KMIP 2.1 2.1.5): KeyFormatType of the clear material
// (Raw for AES, PKCS_1 for RSA private keys), KeyValue = ByteString of the wrapped material,
// CryptographicAlgorithm/Length, and KeyWrappingData {WrappingMethod Encrypt,
// EncryptionKeyInformation {UniqueIdentifier, CryptographicParameters}, [IVCounterNonce: legacy
// AES-GCM only], EncodingOption NoEncoding}. WrapScheme.hpp maps the parameters to a scheme.
// No Digest attribute is kept for a wrapped key (nothing derived from the clear material).
//
// Algorithms, by the wrapping key's type:
// - AES: AES key wrap with padding (RFC 5649) when the token does it for this length, else the
//   envelope of AesEnvelope.hpp (the token key-wraps a fresh AES-256 key, which key-wraps the
//   material in kmsd). Never AES-GCM: keys kmsd wrapped with AES-GCM before are still read, and
//   re-wrapped under the same key with the new scheme when read (docs/wrapped-keys.md);
// - RSA: RSA-OAEP with the strongest hash the token supports whose OAEP capacity fits the key;
//   material too long for one OAEP block (an RSA private key) is RSA-AES wrapped (a fresh
//   AES-256 key wraps it in kmsd, RFC 5649; the HSM wraps that key with OAEP). The public key
//   wraps, the private key `<label>` of `<label>_pk` unwraps.
// Only objects the server wrapped itself are ever unwrapped (see objects::ManagedObject::wrappingKey).
#include <optional>
#include <string>
#include <string_view>

#include "kms/hsm/DriverInstance.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyRef.hpp"
#include "kms/keys/SecretBytes.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::wrapping {

struct WrappingKey {
  hsm::DriverInstance* instance = nullptr;
  std::string canonical;  // hsm::<instance>::<slot>::<key>: stored with every key it wraps
  hsm::KeyInfo info;
  hsm::KeyRef wrapRef;    // the AES key, or the RSA public key
  hsm::KeyRef unwrapRef;  // the AES key, or the RSA private key
};

class KeyWrapper {
 public:
  // The vendor attribute that asks for a wrapping key and, on a stored object, records it.
  static constexpr std::string_view kAttributeName = "wrapping_key_id";

  // The vendor attribute wrapping_key_id of `attributes`, if any (TextString or UTF-8 bytes).
  [[nodiscard]] static std::optional<std::string> requestedKeyId(const OperationContext& ctx,
                                                                 const kmip::Ttlv& attributes);
  // The key that must wrap a new object of `type` made by the caller: the requested one (the
  // caller must be hsm_admin of its HSM or hold `encrypt` on it, else NotFound), else the
  // server's key-encryption key, else none. Public keys are never wrapped (nothing to protect).
  [[nodiscard]] static std::optional<WrappingKey> forNewObject(OperationContext& ctx, const kmip::Ttlv& attributes,
                                                               kmip::ObjectType type);
  // A wrapping key the server itself uses (its KEK, a stored object's key): no user check.
  // NotFound when no HSM serves it or the key is missing; Unavailable when the HSM is down.
  [[nodiscard]] static WrappingKey forServer(OperationContext& ctx, const std::string& uid);

  // For a new object, before it is stored: wraps it under forNewObject's key. A block the client
  // wrapped itself stays as given (FeatureNotSupported if a wrapping key was asked for: kmsd
  // does not wrap twice). An object left clear loses any wrapping_key_id attribute.
  static void protect(OperationContext& ctx, objects::ManagedObject& object, const kmip::Ttlv& clientAttributes);
  // Get/Export: a server-wrapped object asked for with KeyWrapType NotWrapped gets its clear
  // key object, when it is neither Sensitive nor unextractable.
  static void unwrapIfAsked(OperationContext& ctx, objects::ManagedObject& object, const kmip::Ttlv& payload);

  // Replaces `object`'s key block by its wrapped form under `key`, records the key in
  // object.wrappingKey and in the vendor attribute wrapping_key_id. IllegalObjectType for
  // objects without key material; FeatureNotSupported when the material cannot be wrapped so.
  static void wrap(OperationContext& ctx, objects::ManagedObject& object, const WrappingKey& key);
  // What unwrappedObject does with an object kmsd wrapped with AES-GCM (before issue 22):
  // Migrate re-wraps it in the store under the same key with the current scheme (best effort,
  // the read succeeds either way); Keep leaves the store alone (for callers that re-wrap).
  enum class LegacyForm { Migrate, Keep };
  // The clear key object (e.g. a SymmetricKey with a Raw block) of a server-wrapped object.
  [[nodiscard]] static kmip::Ttlv unwrappedObject(OperationContext& ctx, const objects::ManagedObject& object,
                                                  LegacyForm legacy = LegacyForm::Migrate);
  // True for a server-wrapped object whose stored form is the legacy AES-GCM wrap.
  [[nodiscard]] static bool isLegacyWrapped(const objects::ManagedObject& object);
  // True when the server wrapped this object and may unwrap it.
  [[nodiscard]] static bool isServerWrapped(const objects::ManagedObject& object) noexcept {
    return !object.wrappingKey.empty();
  }

 private:
  static void migrate(OperationContext& ctx, const objects::ManagedObject& object, const WrappingKey& key,
                      const kmip::Ttlv& clearObject);
};

}  // namespace kms::ops::wrapping
