#pragma once
// Which key wraps (DESIGN §8): the one a new object's creator asks for (vendor attribute
// wrapping_key_id), else the server's key-encryption key, else none; and the key a stored
// object names, for the server's own unwrapping. Only HSM keys wrap: AES keys, or RSA keys
// whose public half wraps and whose private half (`<label>` of `<label>_pk`) unwraps.
#include <optional>
#include <string>
#include <string_view>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/wrapping/WrappingKey.hpp"

namespace kms::ops::wrapping {

class WrappingKeys {
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
};

}  // namespace kms::ops::wrapping
