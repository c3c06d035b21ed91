#pragma once
// The kmsd operations behind the KACLS: a key is wrapped by an AES-GCM Encrypt with the
// wrapping key (google_cse_key_id: inside the HSM for an hsm:: key, else a database key that an
// HSM key wraps) and unwrapped by a Decrypt with the key the blob names, both run as the caller,
// so that kmsd's grants decide who may use the wrapping key (grant encrypt and decrypt to "*"
// for every authenticated user).
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"
#include "kms/integrations/google_cse/WrappedKey.hpp"
#include "kms/ops/RequestContext.hpp"

namespace kms::ops {
class RequestProcessor;
}

namespace kms::integrations::google_cse {

class CseKeys {
 public:
  CseKeys(ops::RequestProcessor& processor, std::string keyId);

  // The serialized blob of `key` for `resourceName` (empty for a private key).
  [[nodiscard]] SecureBytes wrap(const ops::RequestContext& context, WrappedKey::Kind kind, const SecureBytes& key,
                                 std::string_view resourceName, std::string_view perimeterId) const;
  // Throws CseRefusal(400) for a blob that is not ours, of another kind, or not for
  // `resourceName`; CseRefusal(403) when the caller may not use the key the blob names.
  [[nodiscard]] WrappedKey::Payload unwrap(const ops::RequestContext& context, WrappedKey::Kind kind,
                                           const SecureBytes& blob, std::string_view resourceName) const;

  [[nodiscard]] const std::string& keyId() const noexcept { return keyId_; }

 private:
  ops::RequestProcessor& processor_;
  std::string keyId_;
};

}  // namespace kms::integrations::google_cse
