#pragma once
// KMIP attributes of an HSM key, made from what its driver reports (hsm::KeyInfo): the HSM is
// the only record of the key, so nothing here is stored.
#include <cstdint>
#include <string>

#include "kms/hsm/KeyUsage.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/hsmkeys/HsmKey.hpp"

namespace kms::ops::hsmkeys {

class HsmKeyAttributes {
 public:
  [[nodiscard]] static kmip::ObjectType objectType(const hsm::KeyInfo& info);
  [[nodiscard]] static kmip::CryptographicAlgorithm algorithm(const hsm::KeyInfo& info);
  // UniqueIdentifier (`uid`), ObjectType, CryptographicAlgorithm, CryptographicLength,
  // CryptographicUsageMask, Sensitive, Extractable, Name (the token label), State Active.
  [[nodiscard]] static kmip::Ttlv of(const std::string& uid, const hsm::KeyInfo& info);
  // KMIP CryptographicUsageMask <-> what the HSM lets the key do (bits without an HSM
  // counterpart are dropped).
  [[nodiscard]] static hsm::KeyUsage toHsmUsage(std::uint32_t kmipMask);
  [[nodiscard]] static std::uint32_t toKmipUsage(hsm::KeyUsage usage);
};

}  // namespace kms::ops::hsmkeys
