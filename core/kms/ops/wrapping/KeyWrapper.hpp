#pragma once
// KMS keys stored wrapped by HSM keys (DESIGN §8, product docs 002/003): the wrap and the unwrap
// run in the HSM; the database holds only the wrapped key block. This class puts the three
// jobs together for the handlers: WrappingKeys says which key wraps, WrapCipher runs the wrap
// scheme in the HSM, KeyWrappingData writes and reads the stored block.
//
// No Digest attribute is kept for a wrapped key (nothing derived from the clear material).
// Only objects the server wrapped itself are ever unwrapped (see objects::ManagedObject::wrappingKey).
#include <optional>
#include <string>
#include <string_view>

#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/wrapping/WrappingKey.hpp"
#include "kms/ops/wrapping/WrappingKeys.hpp"

namespace kms::ops::wrapping {

class KeyWrapper {
 public:
  // The vendor attribute that asks for a wrapping key and, on a stored object, records it.
  static constexpr std::string_view kAttributeName = WrappingKeys::kAttributeName;

  // WrappingKeys::forServer, for callers that wrap (rewrap, the KEK check at start).
  [[nodiscard]] static WrappingKey forServer(OperationContext& ctx, const std::string& uid) {
    return WrappingKeys::forServer(ctx, uid);
  }

  // For a new object, before it is stored: wraps it under WrappingKeys::forNewObject's key. A
  // block the client wrapped itself stays as given (FeatureNotSupported if a wrapping key was
  // asked for: kmsd does not wrap twice). An object left clear loses any wrapping_key_id
  // attribute.
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
