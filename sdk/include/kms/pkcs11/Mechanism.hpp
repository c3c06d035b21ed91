#pragma once
// Turns a KMS_ALG_* request into a CK_MECHANISM with its parameter struct (CK_GCM_PARAMS,
// CK_RSA_PKCS_OAEP_PARAMS, CK_RSA_PKCS_PSS_PARAMS), and refuses before any call what the
// slot's token cannot do - from its mechanism list, and from the quirks where the list does
// not tell (SoftHSM2 lists CKM_RSA_PKCS_OAEP but accepts SHA-1 only, answering other hashes
// with a bare CKR_ARGUMENTS_BAD).
#include <cstdint>
#include <string>

#include "kms/pkcs11/CryptParams.hpp"
#include "kms/pkcs11/Pkcs11.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

enum class Operation { Encrypt, Decrypt, Sign, Wrap, Unwrap };

class Mechanism {
 public:
  // Throws Error: KMS_ERR_NOT_SUPPORTED for an unknown algorithm, one the operation cannot
  // use, or one the slot's token lacks (the message says which and why);
  // KMS_ERR_INVALID_ARGUMENT for bad parameters (IV, tag length).
  Mechanism(Slot& slot, Operation operation, const CryptParams& params);
  Mechanism(const Mechanism&) = delete;
  Mechanism& operator=(const Mechanism&) = delete;

  [[nodiscard]] CK_MECHANISM* get() noexcept { return &mechanism_; }
  // "AES-GCM", "RSA-OAEP with SHA-256", "RSA-PSS with SHA-384"
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // Single-part only (RSA encryption), so max_data_chunk cannot split its input.
  [[nodiscard]] bool multiPart() const noexcept { return multiPart_; }
  [[nodiscard]] bool symmetric() const noexcept { return symmetric_; }
  // C_WrapKey/C_UnwrapKey rather than C_Encrypt/C_Decrypt (AES key wrap with padding).
  [[nodiscard]] bool keyWrap() const noexcept { return keyWrap_; }

  // Whether the slot supports (algorithm, hash) at all, for the ABI's `supports`; sets reason.
  static bool supported(Slot& slot, std::int32_t algorithm, std::int32_t hash, std::string* reason);

 private:
  CK_MECHANISM mechanism_{};
  CK_GCM_PARAMS gcm_{};
  LegacyGcmParams legacyGcm_{};
  CK_RSA_PKCS_OAEP_PARAMS oaep_{};
  CK_RSA_PKCS_PSS_PARAMS pss_{};
  std::vector<std::uint8_t> iv_;
  std::vector<std::uint8_t> aad_;
  std::string name_;
  bool multiPart_ = true;
  bool symmetric_ = false;
  bool keyWrap_ = false;
};

}  // namespace kms::pkcs11
