#pragma once
// Signatures with a token's RSA private key: hash-and-sign mechanisms (CKM_SHA256_RSA_PKCS,
// CKM_SHA256_RSA_PKCS_PSS, ...), so the host passes the message and the token hashes it.
// Messages above max_data_chunk go through C_SignUpdate in chunks.
#include <cstdint>

#include "kms/pkcs11/CryptParams.hpp"
#include "kms/pkcs11/KeyRef.hpp"
#include "kms/pkcs11/RsaDer.hpp"
#include "kms/pkcs11/SecureBytes.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

class Signer {
 public:
  [[nodiscard]] static SecureBytes sign(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref,
                                        const CryptParams& params, ByteView data);
  // The signature length (the modulus length), for the two-call convention.
  [[nodiscard]] static std::uint64_t bound(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref,
                                           const CryptParams& params);
};

}  // namespace kms::pkcs11
