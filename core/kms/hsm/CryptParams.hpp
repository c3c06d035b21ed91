#pragma once
// Parameters of encrypt/decrypt/wrap/unwrap/sign (kms_crypt_params in core terms; AbiVocabulary
// translates them to the driver ABI).
#include <cstdint>
#include <optional>

#include "kms/SecureBytes.hpp"
#include "kms/hsm/Mechanism.hpp"
#include "kms/keys/CryptoKey.hpp"

namespace kms::hsm {

struct CryptParams {
  Mechanism mechanism = Mechanism::None;
  std::optional<keys::Hash> hash;     // OAEP/PSS/sign digest; none for AES
  std::optional<keys::Hash> mgfHash;  // none: the same as hash
  kms::SecureBytes iv;
  std::uint32_t tagLength = 16;
  kms::SecureBytes aad;
  std::uint32_t saltLength = 0;
};

}  // namespace kms::hsm
