#pragma once
// Gmail CSE's private keys (S/MIME): kmsd wraps a user's RSA private key (wrapprivatekey) and,
// given the blob back, signs a digest with it (privatekeysign) or decrypts a content key
// encrypted to its public key (privatekeydecrypt). The key is unwrapped into memory for the one
// operation and wiped after it: what protects it at rest is the wrapping key in the HSM.
#include <optional>
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::google_cse {

class CsePrivateKey {
 public:
  // The private_key field of wrapprivatekey: a PEM block ("RSA PRIVATE KEY" or "PRIVATE KEY"),
  // or the standard Base64 of either DER form. Returns PKCS#8 DER. Throws CseRefusal(400).
  [[nodiscard]] static SecureBytes readPrivateKey(std::string_view field);

  // Standard Base64 of the digest of the key's DER SubjectPublicKeyInfo, as Gmail's
  // authorization tokens and privilegedprivatekeydecrypt name keys ("SHA-256" only).
  [[nodiscard]] static std::string spkiHash(const SecureBytes& pkcs8, std::string_view algorithm);

  // `algorithm`: "SHA256withRSA", "SHA384withRSA", "SHA512withRSA" (PKCS#1 v1.5), or the same
  // names with "/PSS" (RSASSA-PSS, MGF1 with the same digest, salt `pssSaltLength` or the digest
  // length). `digest`: the hash of the data, of that digest's length.
  [[nodiscard]] static SecureBytes sign(const SecureBytes& pkcs8, std::string_view algorithm, const SecureBytes& digest,
                                        std::optional<int> pssSaltLength);

  // `algorithm`: "RSA/ECB/OAEPwithSHA-256andMGF1Padding", "RSA/ECB/OAEPwithSHA-1andMGF1Padding",
  // or "RSA/ECB/PKCS1Padding" (only when `pkcs1v15Allowed`: rsa_pkcs1v15_decrypt, since without
  // implicit rejection it is a padding oracle). Every decryption failure is the same
  // CseRefusal(400).
  [[nodiscard]] static SecureBytes decrypt(const SecureBytes& pkcs8, std::string_view algorithm,
                                           const SecureBytes& ciphertext, const SecureBytes& oaepLabel,
                                           bool pkcs1v15Allowed);
};

}  // namespace kms::integrations::google_cse
