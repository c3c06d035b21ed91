#pragma once
// Export rules: a public key always (PKCS#1 or SubjectPublicKeyInfo DER, built from
// CKA_MODULUS/CKA_PUBLIC_EXPONENT); the public part of a private key as well (SPKI). Secret
// material only from keys that are neither sensitive nor unextractable: AES as raw bytes
// (CKA_VALUE), RSA private keys as PKCS#1 or PKCS#8 from the CRT attributes. Otherwise
// KMS_ERR_PERMISSION_DENIED saying why.
#include "kms/pkcs11/KeyRef.hpp"
#include "kms/pkcs11/SecureBytes.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

class KeyExporter {
 public:
  [[nodiscard]] static SecureBytes exportKey(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref,
                                             std::int32_t format);
};

}  // namespace kms::pkcs11
