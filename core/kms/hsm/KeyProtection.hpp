#pragma once
// Whether a key generated inside an HSM may leave it (CKA_SENSITIVE, CKA_EXTRACTABLE), in core
// terms; AbiVocabulary translates it to the driver ABI's KMS_KEY_* flags. Both false: the
// driver's defaults for a key that is neither.
namespace kms::hsm {

struct KeyProtection {
  bool sensitive = false;    // the clear key never leaves the HSM
  bool extractable = false;  // the key may leave the HSM (wrapped, or clear when not sensitive)
};

}  // namespace kms::hsm
