#include "kms/kmip/Enums.hpp"

#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"

#include <array>
#include <utility>

namespace kms::ops::hsmkeys {
namespace {

using kmip::Ttlv;
using Usage = kmip::CryptographicUsageMask;

constexpr std::array<std::pair<std::uint32_t, hsm::KeyUse>, 6> kUsage{{
    {Usage::Encrypt, hsm::KeyUse::Encrypt},
    {Usage::Decrypt, hsm::KeyUse::Decrypt},
    {Usage::Sign, hsm::KeyUse::Sign},
    {Usage::Verify, hsm::KeyUse::Verify},
    {Usage::WrapKey, hsm::KeyUse::Wrap},
    {Usage::UnwrapKey, hsm::KeyUse::Unwrap},
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

hsm::KeyUsage HsmKeyAttributes::toHsmUsage(std::uint32_t kmipMask) {
  hsm::KeyUsage out;
  // Unrestricted: every use (of a pair, each half gets the uses of its kind).
  const bool unrestricted = (kmipMask & kmip::CryptographicUsageMask::Unrestricted) != 0;
  for (const auto& [kmip, use] : kUsage) {
    if (unrestricted || (kmipMask & kmip) != 0) out.add(use);
  }
  return out;
}

std::uint32_t HsmKeyAttributes::toKmipUsage(hsm::KeyUsage usage) {
  std::uint32_t out = 0;
  for (const auto& [kmip, use] : kUsage) {
    if (usage.has(use)) out |= kmip;
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
