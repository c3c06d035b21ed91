#pragma once
// Encrypt, decrypt, wrap and unwrap on a token key.
//  - AES-GCM: C_Encrypt/C_Decrypt with CK_GCM_PARAMS; output ciphertext || tag. Inputs above
//    max_data_chunk go through C_EncryptUpdate/C_DecryptUpdate in chunks.
//  - RSA-OAEP and PKCS#1 v1.5: C_Encrypt with the public key (the pair's "<label>_pk" when
//    named by the private label), C_Decrypt with the private key. Single-part.
//  - wrap/unwrap of host key bytes, which must never become token objects:
//    * AES key wrap with padding (RFC 5649): tokens offer CKM_AES_KEY_WRAP_PAD for
//      C_WrapKey/C_UnwrapKey only (SoftHSM2 lists it for wrap/unwrap, not encrypt), so wrap
//      creates a session object (CKA_TOKEN false, CKA_EXTRACTABLE true) from the bytes,
//      C_WrapKey's it and destroys it; unwrap C_UnwrapKey's into a session object
//      (CKA_SENSITIVE false, CKA_EXTRACTABLE true), reads CKA_VALUE and destroys it.
//      Session objects vanish with the session even if the destroy is never reached.
//    * AES-GCM, RSA-OAEP, RSA PKCS#1: C_Encrypt/C_Decrypt of the bytes. SoftHSM2 has no GCM
//      C_WrapKey, and its OAEP C_WrapKey is refused (CKR_ARGUMENTS_BAD), while C_Encrypt
//      produces the very same RFC 8017 ciphertext that an OAEP C_WrapKey would.
#include <cstdint>

#include "kms/pkcs11/CryptParams.hpp"
#include "kms/pkcs11/KeyRef.hpp"
#include "kms/pkcs11/Mechanism.hpp"
#include "kms/pkcs11/RsaDer.hpp"
#include "kms/pkcs11/SecureBytes.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

class Cipher {
 public:
  // operation: Encrypt, Decrypt, Wrap or Unwrap.
  [[nodiscard]] static SecureBytes run(Slot& slot, CK_SESSION_HANDLE session, Operation operation, const KeyRef& ref,
                                       const CryptParams& params, ByteView input);
  // An upper bound of run()'s output length, without running it (two-call convention).
  [[nodiscard]] static std::uint64_t bound(Slot& slot, CK_SESSION_HANDLE session, Operation operation,
                                           const KeyRef& ref, const CryptParams& params, std::uint64_t inputLength);
  // Modulus bytes of an RSA key object.
  [[nodiscard]] static std::uint64_t modulusBytes(Slot& slot, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key);
};

}  // namespace kms::pkcs11
