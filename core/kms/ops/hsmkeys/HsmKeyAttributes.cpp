#include "kms/kmip/Enums.hpp"

#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"

#include <array>
#include <utility>

#include "kms/driver.h"

namespace kms::ops::hsmkeys {
namespace {

using kmip::Ttlv;
using Usage = kmip::CryptographicUsageMask;

constexpr std::array<std::pair<std::uint32_t, std::uint32_t>, 6> kUsage{{
    {Usage::Encrypt, KMS_USE_ENCRYPT},
    {Usage::Decrypt, KMS_USE_DECRYPT},
    {Usage::Sign, KMS_USE_SIGN},
    {Usage::Verify, KMS_USE_VERIFY},
    {Usage::WrapKey, KMS_USE_WRAP},
    {Usage::UnwrapKey, KMS_USE_UNWRAP},
}};

}  // namespace

kmip::ObjectType HsmKeyAttributes::objectType(const hsm::KeyInfo& info) {
  switch (info.type) {
    case hsm::KeyType::RsaPrivate:
      return kmip::ObjectType::PrivateKey;
    case hsm::KeyType::RsaPublic:
      return kmip::ObjectType::PublicKey;
    default:
      return kmip::ObjectType::SymmetricKey;
  }
}

kmip::CryptographicAlgorithm HsmKeyAttributes::algorithm(const hsm::KeyInfo& info) {
  return info.type == hsm::KeyType::Aes ? kmip::CryptographicAlgorithm::AES : kmip::CryptographicAlgorithm::RSA;
}

std::uint32_t HsmKeyAttributes::toDriverUsage(std::uint32_t kmipMask) {
  std::uint32_t out = 0;
  for (const auto& [kmip, driver] : kUsage) {
    if ((kmipMask & kmip) != 0) out |= driver;
  }
  return out;
}

std::uint32_t HsmKeyAttributes::toKmipUsage(std::uint32_t driverUsage) {
  std::uint32_t out = 0;
  for (const auto& [kmip, driver] : kUsage) {
    if ((driverUsage & driver) != 0) out |= kmip;
  }
  return out;
}

Ttlv HsmKeyAttributes::of(const std::string& uid, const hsm::KeyInfo& info) {
  Ttlv attributes = Ttlv::structure("Attributes");
  attributes.add(Ttlv::textString("UniqueIdentifier", uid));
  attributes.add(Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(objectType(info))));
  if (info.type != hsm::KeyType::Unknown) {
    attributes.add(Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(algorithm(info))));
  }
  if (info.bits != 0) attributes.add(Ttlv::integer("CryptographicLength", static_cast<std::int32_t>(info.bits)));
  attributes.add(Ttlv::integer("CryptographicUsageMask", static_cast<std::int32_t>(toKmipUsage(info.usage))));
  attributes.add(Ttlv::boolean("Sensitive", info.sensitive));
  attributes.add(Ttlv::boolean("Extractable", info.extractable));
  attributes.add(Ttlv::structure(
      "Name", {Ttlv::textString("NameValue", info.label),
               Ttlv::enumeration("NameType", static_cast<std::uint32_t>(kmip::NameType::UninterpretedTextString))}));
  attributes.add(Ttlv::enumeration("State", static_cast<std::uint32_t>(kmip::State::Active)));
  return attributes;
}

}  // namespace kms::ops::hsmkeys
