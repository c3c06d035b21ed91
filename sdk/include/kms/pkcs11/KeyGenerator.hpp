#pragma once
// Creates token keys: AES 128/192/256 (CKM_AES_KEY_GEN) and RSA 2048/3072/4096 pairs
// (CKM_RSA_PKCS_KEY_PAIR_GEN; the private key gets the label L, the public key L + "_pk",
// both the same CKA_ID). Keys are token objects (CKA_TOKEN), private when the slot is logged
// in, CKA_SENSITIVE/CKA_EXTRACTABLE from the request's flags.
#include "kms/driver.h"
#include "kms/pkcs11/KeyInfo.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

class KeyGenerator {
 public:
  // Throws Error: KMS_ERR_ALREADY_EXISTS when the label (or L_pk, or the id) is taken,
  // KMS_ERR_INVALID_ARGUMENT / KMS_ERR_NOT_SUPPORTED for types and sizes.
  [[nodiscard]] static KeyInfo generate(Slot& slot, CK_SESSION_HANDLE session, const kms_generate_request& request);
};

}  // namespace kms::pkcs11
