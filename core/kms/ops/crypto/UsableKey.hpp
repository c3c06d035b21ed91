#pragma once
// A key a cryptographic request uses, wherever it lives: one interface for Encrypt, Decrypt,
// Sign, SignatureVerify, MAC and MACVerify, with a software implementation for database objects
// (DatabaseUsableKey) and one for keys inside an HSM (hsmkeys::HsmUsableKey). KeyResolver
// picks the implementation once per request from the UID's form, locates the key, checks the
// caller's right and the key's state and usage; the handler then has one path:
// resolve -> encrypt/decrypt/sign/verify -> answer.
//
// Each implementation reads the request's parameters itself (the same CryptoParametersReader,
// mapped onto what it can do) and keeps its own refusals and their words: the answers are
// those the two separate paths gave before they met here.
#include <string>
#include <string_view>

#include "kms/keys/CryptoKey.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::crypto {

// What a request does with its key: the access right it needs and the checks it gets.
enum class KeyOperation { Encrypt, Decrypt, Sign, SignatureVerify, Mac, MacVerify };

// The access right an operation needs (the lowercase operation name; Cosmian spells
// SignatureVerify's "signatureverify"), for database and HSM keys alike.
[[nodiscard]] constexpr std::string_view rightOf(KeyOperation operation) noexcept {
  switch (operation) {
    case KeyOperation::Encrypt:
      return "encrypt";
    case KeyOperation::Decrypt:
      return "decrypt";
    case KeyOperation::Sign:
      return "sign";
    case KeyOperation::SignatureVerify:
      return "signatureverify";
    case KeyOperation::Mac:
      return "mac";
    case KeyOperation::MacVerify:
      return "macverify";
  }
  return "encrypt";
}

class UsableKey {
 public:
  virtual ~UsableKey() = default;
  UsableKey(const UsableKey&) = delete;
  UsableKey& operator=(const UsableKey&) = delete;

  // The UniqueIdentifier the answer names. Not virtual: the hot path pays one virtual call.
  [[nodiscard]] const std::string& uid() const noexcept { return uid_; }

  // `payload` is the request payload (Data, CryptographicParameters, IVCounterNonce, ...).
  // encrypt: ciphertext, the IV when the server chose it (empty: not answered), the GCM tag
  // (empty: none).
  [[nodiscard]] virtual keys::EncryptResult encrypt(const kmip::Ttlv& payload) const = 0;
  [[nodiscard]] virtual keys::SecretBytes decrypt(const kmip::Ttlv& payload) const = 0;
  [[nodiscard]] virtual keys::Bytes sign(const kmip::Ttlv& payload) const = 0;
  // False when the signature does not verify.
  [[nodiscard]] virtual bool verify(const kmip::Ttlv& payload) const = 0;
  // The MAC of Data; macVerify: false when MACData is not Data's MAC.
  [[nodiscard]] virtual keys::Bytes mac(const kmip::Ttlv& payload) const = 0;
  [[nodiscard]] virtual bool macVerify(const kmip::Ttlv& payload) const = 0;

 protected:
  // `uid` must outlive the key (it lives in the implementation's own state).
  explicit UsableKey(const std::string& uid) noexcept : uid_(uid) {}

 private:
  const std::string& uid_;
};

}  // namespace kms::ops::crypto
