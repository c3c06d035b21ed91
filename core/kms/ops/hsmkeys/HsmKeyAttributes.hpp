#pragma once
// KMIP attributes of an HSM key, made from what its driver reports (kms_key_info): the HSM is
// the only record of the key, so nothing here is stored.
#include <cstdint>
#include <string>

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
  // KMIP CryptographicUsageMask <-> driver KMS_USE_* bits.
  [[nodiscard]] static std::uint32_t toDriverUsage(std::uint32_t kmipMask);
  [[nodiscard]] static std::uint32_t toKmipUsage(std::uint32_t driverUsage);
};

}  // namespace kms::ops::hsmkeys
