#pragma once
// Which decryptions kmsd performs at all (issue 22, finding 8). RSA PKCS#1 v1.5 decryption is
// a Bleichenbacher oracle wherever a caller can tell a well-formed ciphertext from a malformed
// one (Debian 12's OpenSSL 3.0 has no implicit rejection, and HSMs answer CKR_ENCRYPTED_DATA_
// INVALID): it is refused unless the operator enables it (rsa_pkcs1v15_decrypt). The refusal is
// decided from the request's parameters alone, before any key or HSM sees the ciphertext, so
// it is the same answer for every ciphertext. v1.5 encryption and signatures are unaffected.
#include <string_view>

#include "kms/keys/CryptoKey.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::crypto {

class DecryptPolicy {
 public:
  static constexpr std::string_view kSetting = "rsa_pkcs1v15_decrypt";
  // FeatureNotSupported naming the setting when `padding` is PKCS#1 v1.5 and the setting is off.
  static void checkRsaPadding(const OperationContext& ctx, keys::Padding padding);
};

}  // namespace kms::ops::crypto
