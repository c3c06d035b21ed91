#pragma once
// The usable key of an hsm:: UID: routed to its instance, the caller's right checked (the
// instance's hsm_admin, or a grant on the key's canonical UID), described by the HSM, then
// used inside the HSM. The KMIP parameters are read by the same CryptoParametersReader as for
// database keys (same defaults: AES-GCM, RSA-OAEP SHA-256, PKCS#1 v1.5 SHA-256 signatures),
// then mapped onto the HSM's mechanisms. What the token lacks (SoftHSM2: OAEP with SHA-256)
// is refused by the driver with its reason.
//
// Refusals that protect keys and wrapped keys (issue 22):
// - Encrypt with an HSM AES key never takes the caller's IV: kmsd draws it. An HSM AES key may
//   wrap keys, and kmsd once wrapped with AES-GCM under a stored IV; GCM output for that IV is
//   the keystream that decrypts the wrapped key (docs/wrapped-keys.md).
// - RSA PKCS#1 v1.5 decryption only when rsa_pkcs1v15_decrypt is set (a Bleichenbacher
//   oracle otherwise), refused before the HSM sees the ciphertext (see DecryptPolicy.hpp).
// - A key that wraps stored keys serves no Decrypt: its plaintexts would be those keys (an
//   RSA-OAEP wrap, or an old AES-GCM one, decrypts like any ciphertext). Key-usage separation:
//   decrypting with such a key is the server's own unwrapping, never a caller's.
#include <string>

#include "kms/ops/OperationContext.hpp"
#include "kms/ops/crypto/UsableKey.hpp"
#include "kms/ops/hsmkeys/HsmKey.hpp"

namespace kms::ops::hsmkeys {

// Base-from-member: the key exists before UsableKey refers to its UID.
struct OpenedHsmKey {
  HsmKey key;
};

class HsmUsableKey final : private OpenedHsmKey, public crypto::UsableKey {
 public:
  // Sign and SignatureVerify first require Data (their answer does not depend on the key);
  // then route + authorize + describe (HsmKeyAccess::open: NotFound for a key the caller may
  // not use, an unknown instance or slot, and a missing key alike); then the operation's
  // checks on the key (Decrypt: not a wrapping key; Sign: an RSA private key; SignatureVerify:
  // an RSA key).
  HsmUsableKey(OperationContext& ctx, const std::string& uid, crypto::KeyOperation operation,
               const kmip::Ttlv& payload);

  [[nodiscard]] keys::EncryptResult encrypt(const kmip::Ttlv& payload) const override;
  [[nodiscard]] keys::SecretBytes decrypt(const kmip::Ttlv& payload) const override;
  [[nodiscard]] keys::Bytes sign(const kmip::Ttlv& payload) const override;
  [[nodiscard]] bool verify(const kmip::Ttlv& payload) const override;
  // Not inside HSMs yet: the resolver refuses MAC and MACVerify first (FeatureNotSupported).
  [[nodiscard]] keys::Bytes mac(const kmip::Ttlv& payload) const override;
  [[nodiscard]] bool macVerify(const kmip::Ttlv& payload) const override;

  [[nodiscard]] const HsmKey& key() const noexcept { return OpenedHsmKey::key; }

 private:
  OperationContext& ctx_;
};

}  // namespace kms::ops::hsmkeys
