#include "kms/ops/attributes/KeyAttributes.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "kms/Exception.hpp"

#include "kms/ops/attributes/AttributeRules.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"

namespace kms::ops::attributes {
namespace {

using kmip::Ttlv;

bool isMultiInstance(std::string_view tag) {
  static constexpr std::array<std::string_view, 9> kMulti{"Name",
                                                          "Link",
                                                          "Attribute",
                                                          "VendorAttributes",
                                                          "CryptographicParameters",
                                                          "AlternativeName",
                                                          "ObjectGroup",
                                                          "CryptographicDomainParameters",
                                                          "KeyValueLocation"};
  for (auto t : kMulti) {
    if (t == tag) return true;
  }
  return false;
}

bool flag(const Ttlv& attributes, std::string_view tag, bool fallback) {
  const auto* item = attributes.find(tag);
  if (item == nullptr || item->type() != kmip::ItemType::Boolean) return fallback;
  return item->asBoolean();
}

}  // namespace

Ttlv clientAttributes(const Ttlv* attributes) {
  Ttlv out = Ttlv::structure("Attributes");
  if (attributes == nullptr) return out;
  Ttlv given = attributes->withTag("Attributes");
  attributes::normalizeVendorAttributes(given);  // KMIP 1.x `Attribute` entries become their attribute
  for (auto& item : given.items()) {
    AttributeRules::checkValue(item);
    if (item.tag() == "KeyFormatType") continue;
    // History the server keeps (4.3, 4.33): what a client says about it is not evidence.
    if (item.tag() == "AlwaysSensitive" || item.tag() == "NeverExtractable") continue;
    out.add(std::move(item));
  }
  return out;
}

Ttlv mergeKeyPairAttributes(const Ttlv* common, const Ttlv* side) {
  Ttlv out = clientAttributes(common);
  if (side == nullptr) return out;
  const Ttlv sideAttributes = clientAttributes(side);
  for (const auto& item : sideAttributes.items()) {
    if (!isMultiInstance(item.tag())) out.removeAll(item.tag());
    out.add(item);
  }
  return out;
}

void applyDefaultUsageMask(Ttlv& attributes, kmip::ObjectType type) {
  if (attributes.find("CryptographicUsageMask") != nullptr) return;
  using M = kmip::CryptographicUsageMask;
  std::uint32_t mask = 0;
  switch (type) {
    case kmip::ObjectType::SymmetricKey:
      mask = M::Encrypt | M::Decrypt | M::WrapKey | M::UnwrapKey;
      break;
    case kmip::ObjectType::PrivateKey:
      mask = M::Sign | M::Decrypt | M::UnwrapKey;
      break;
    case kmip::ObjectType::PublicKey:
      mask = M::Verify | M::Encrypt | M::WrapKey;
      break;
    case kmip::ObjectType::SecretData:
      mask = M::DeriveKey;
      break;
    default:
      return;
  }
  attributes.add(Ttlv::integer("CryptographicUsageMask", static_cast<std::int32_t>(mask)));
}

bool quantumSafeRequested(const Ttlv& attributes) {
  return flag(attributes, "QuantumSafe", false);
}

void finishKeyAttributes(objects::ManagedObject& object, const objects::KeyFacts& facts) {
  AttributeSet set(object.attributes);
  if (object.object.find("KeyBlock") != nullptr) {
    set.set(Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(facts.format)));
  }
  if (facts.algorithm) {
    set.set(Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(*facts.algorithm)));
  }
  if (facts.length) set.set(Ttlv::integer("CryptographicLength", *facts.length));
  const bool sensitive = flag(object.attributes, "Sensitive", false);
  const bool extractable = flag(object.attributes, "Extractable", true);
  set.set(Ttlv::boolean("Sensitive", sensitive));
  set.set(Ttlv::boolean("Extractable", extractable));
  // Whatever the request said: the server's account of the flags' history (4.3, 4.33).
  set.set(Ttlv::boolean("AlwaysSensitive", sensitive));
  set.set(Ttlv::boolean("NeverExtractable", !extractable));
}

void markServerGenerated(objects::ManagedObject& object) {
  AttributeSet(object.attributes)
      .set(Ttlv::structure(
          "RandomNumberGenerator",
          {Ttlv::enumeration("RNGAlgorithm", static_cast<std::uint32_t>(kmip::RNGAlgorithm::DRBG)),
           Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)),
           Ttlv::integer("CryptographicLength", 256),
           Ttlv::enumeration("DRBGAlgorithm", static_cast<std::uint32_t>(kmip::DRBGAlgorithm::CTR))}));
}

void addLink(objects::ManagedObject& object, kmip::LinkType type, const std::string& linkedUid) {
  object.attributes.add(Ttlv::structure("Link", {Ttlv::enumeration("LinkType", static_cast<std::uint32_t>(type)),
                                                 Ttlv::textString("LinkedObjectIdentifier", linkedUid)}));
}

Ttlv responsePayload(std::vector<Ttlv> items) {
  return Ttlv::structure("ResponsePayload", std::move(items));
}

ClientObject readClientObject(const Ttlv& payload) {
  ClientObject out;
  out.type = static_cast<kmip::ObjectType>(payload.at("ObjectType").asEnumeration());
  const auto& given = objects::objectIn(payload, out.type);
  out.object = Ttlv::structure(objects::objectTag(out.type), given.items());
  out.attributes = clientAttributes(payload.find("Attributes"));
  out.facts = objects::inspect(out.type, out.object);
  if (const auto* a = out.attributes.find("CryptographicAlgorithm")) {
    const auto algorithm = static_cast<kmip::CryptographicAlgorithm>(a->asEnumeration());
    if (out.facts.algorithm && *out.facts.algorithm != algorithm) {
      throw Exception(ErrorCode::InvalidField, "the CryptographicAlgorithm attribute contradicts the key block");
    }
    out.facts.algorithm = algorithm;
  }
  if (const auto* l = out.attributes.find("CryptographicLength")) {
    if (out.facts.length && *out.facts.length != l->asInteger()) {
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("the CryptographicLength attribute ({}) contradicts the key material ({} bits)",
                                  l->asInteger(), *out.facts.length));
    }
    out.facts.length = l->asInteger();
  }
  if (const auto* block = out.object.find("KeyBlock")) {
    if (const auto* wrapping = block->find("KeyWrappingData")) {
      for (const auto* info :
           {wrapping->find("EncryptionKeyInformation"), wrapping->find("MACSignatureKeyInformation")}) {
        if (info == nullptr) continue;
        if (const auto* uid = info->find("UniqueIdentifier");
            uid != nullptr && uid->type() == kmip::ItemType::TextString) {
          out.wrappingKeyUid = uid->asText();
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace kms::ops::attributes
