#include "kms/ops/kmip1/AttributeNames.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeRules.hpp"

namespace kms::ops::kmip1 {

using kmip::Ttlv;

namespace {

struct Name {
  std::string_view text;  // the 1.x AttributeName
  std::string_view tag;   // the 2.1 tag; empty for those 2.0 removed
  std::int32_t since;     // the first 1.x minor version that defines it
};

// The attributes of KMIP 1.4 section 3 by their 1.x name, with their 2.1 tag (empty for those
// 2.0 removed: Operation Policy Name, the 1.0 certificate fields) and the version that brought
// them (each 1.x specification's section 3 and its "changes" appendix): a 1.x client decodes
// only the attributes of its version, so answers to it leave the later ones out.
constexpr std::array<Name, 51> kNames{{
    {"Unique Identifier", "UniqueIdentifier", 0},
    {"Name", "Name", 0},
    {"Object Type", "ObjectType", 0},
    {"Cryptographic Algorithm", "CryptographicAlgorithm", 0},
    {"Cryptographic Length", "CryptographicLength", 0},
    {"Cryptographic Parameters", "CryptographicParameters", 0},
    {"Cryptographic Domain Parameters", "CryptographicDomainParameters", 0},
    {"Certificate Type", "CertificateType", 0},
    {"Certificate Length", "CertificateLength", 1},
    {"X.509 Certificate Identifier", "X_509CertificateIdentifier", 1},
    {"X.509 Certificate Subject", "X_509CertificateSubject", 1},
    {"X.509 Certificate Issuer", "X_509CertificateIssuer", 1},
    {"Certificate Identifier", "", 0},
    {"Certificate Subject", "", 0},
    {"Certificate Issuer", "", 0},
    {"Digital Signature Algorithm", "DigitalSignatureAlgorithm", 1},
    {"Digest", "Digest", 0},
    {"Operation Policy Name", "", 0},
    {"Cryptographic Usage Mask", "CryptographicUsageMask", 0},
    {"Lease Time", "LeaseTime", 0},
    {"Usage Limits", "UsageLimits", 0},
    {"State", "State", 0},
    {"Initial Date", "InitialDate", 0},
    {"Activation Date", "ActivationDate", 0},
    {"Process Start Date", "ProcessStartDate", 0},
    {"Protect Stop Date", "ProtectStopDate", 0},
    {"Deactivation Date", "DeactivationDate", 0},
    {"Destroy Date", "DestroyDate", 0},
    {"Compromise Occurrence Date", "CompromiseOccurrenceDate", 0},
    {"Compromise Date", "CompromiseDate", 0},
    {"Revocation Reason", "RevocationReason", 0},
    {"Archive Date", "ArchiveDate", 0},
    {"Object Group", "ObjectGroup", 0},
    {"Fresh", "Fresh", 1},
    {"Link", "Link", 0},
    {"Application Specific Information", "ApplicationSpecificInformation", 0},
    {"Contact Information", "ContactInformation", 0},
    {"Last Change Date", "LastChangeDate", 0},
    {"Alternative Name", "AlternativeName", 2},
    {"Key Value Present", "KeyValuePresent", 2},
    {"Key Value Location", "KeyValueLocation", 2},
    {"Original Creation Date", "OriginalCreationDate", 2},
    {"Random Number Generator", "RandomNumberGenerator", 3},
    {"PKCS#12 Friendly Name", "PKCS_12FriendlyName", 4},
    {"Description", "Description", 4},
    {"Comment", "Comment", 4},
    {"Sensitive", "Sensitive", 4},
    {"Always Sensitive", "AlwaysSensitive", 4},
    {"Extractable", "Extractable", 4},
    {"Never Extractable", "NeverExtractable", 4},
    {"Custom Attribute", "", 0},
}};

bool isCustomPrefix(std::string_view name) {
  return name.size() > 2 && (name[0] == 'x' || name[0] == 'y') && name[1] == '-';
}

}  // namespace

std::optional<attributes::AttributeKey> keyOfName(std::string_view name) {
  if (isCustomPrefix(name)) {
    const std::string_view rest = name.substr(2);
    // "y-V:N": another vendor's attribute as nameOf shows it (1.x clients cannot set y- ones).
    if (const auto colon = rest.find(':'); name[0] == 'y' && colon != std::string_view::npos && colon > 0) {
      return attributes::AttributeKey{"Attribute", std::string(rest.substr(0, colon)),
                                      std::string(rest.substr(colon + 1))};
    }
    return attributes::AttributeKey{"Attribute", std::string(name.substr(0, 1)), std::string(rest)};
  }
  for (const auto& [text, tag, since] : kNames) {
    if (text != name) continue;
    if (tag.empty() || !attributes::AttributeRules::find(tag)) return std::nullopt;
    return attributes::AttributeKey{std::string(tag), {}, {}};
  }
  return std::nullopt;
}

std::optional<std::string> nameOf(const attributes::AttributeKey& key, std::int32_t minor) {
  if (key.isVendor()) {
    if (key.vendor == "x" || key.vendor == "y") return fmt::format("{}-{}", key.vendor, key.name);
    return fmt::format("y-{}:{}", key.vendor, key.name);
  }
  for (const auto& [text, tag, since] : kNames) {
    if (!tag.empty() && tag == key.tag) return since <= minor ? std::optional<std::string>(text) : std::nullopt;
  }
  return std::nullopt;
}

Ttlv toItem(const Ttlv& attribute) {
  const auto* name = attribute.find("AttributeName");
  if (!attribute.isStructure() || name == nullptr || name->type() != kmip::ItemType::TextString) {
    throw Exception(ErrorCode::InvalidField, "a KMIP 1.x Attribute needs a TextString AttributeName");
  }
  const auto key = keyOfName(name->text());
  if (!key) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("attribute '{}' is not supported", name->text().substr(0, 64)));
  }
  const auto* value = attribute.find("AttributeValue");
  if (value == nullptr) {
    throw Exception(ErrorCode::InvalidField, fmt::format("attribute '{}' has no AttributeValue", name->text()));
  }
  if (!key->isVendor()) return value->withTag(key->tag);
  return Ttlv::structure("Attribute", {Ttlv::textString("VendorIdentification", key->vendor),
                                       Ttlv::textString("AttributeName", key->name), *value});
}

std::optional<Ttlv> toAttribute(const Ttlv& item, std::int32_t index, std::int32_t minor) {
  const auto key = attributes::keyOf(item);
  const auto name = nameOf(key, minor);
  if (!name) return std::nullopt;
  Ttlv out = Ttlv::structure("Attribute", {Ttlv::textString("AttributeName", *name)});
  if (index > 0) out.add(Ttlv::integer("AttributeIndex", index));
  if (key.isVendor()) {
    if (const auto* value = item.find("AttributeValue")) out.add(*value);
  } else {
    out.add(item.withTag("AttributeValue"));
  }
  return out;
}

std::optional<Ttlv> referenceOf(std::string_view name) {
  const auto key = keyOfName(name);
  if (!key) return std::nullopt;
  return attributes::referenceFor(*key);
}

}  // namespace kms::ops::kmip1
