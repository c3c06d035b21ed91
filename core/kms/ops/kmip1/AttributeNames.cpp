#include "kms/ops/kmip1/AttributeNames.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeRules.hpp"

namespace kms::ops::kmip1 {

using kmip::Ttlv;

namespace {

// The attributes of KMIP 1.4 section 3 by their 1.x name, with their 2.1 tag; an empty tag for
// those 2.0 removed (Operation Policy Name, the 1.0 certificate fields). Earlier 1.x versions
// define subsets with the same names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 51> kNames{{
    {"Unique Identifier", "UniqueIdentifier"},
    {"Name", "Name"},
    {"Object Type", "ObjectType"},
    {"Cryptographic Algorithm", "CryptographicAlgorithm"},
    {"Cryptographic Length", "CryptographicLength"},
    {"Cryptographic Parameters", "CryptographicParameters"},
    {"Cryptographic Domain Parameters", "CryptographicDomainParameters"},
    {"Certificate Type", "CertificateType"},
    {"Certificate Length", "CertificateLength"},
    {"X.509 Certificate Identifier", "X_509CertificateIdentifier"},
    {"X.509 Certificate Subject", "X_509CertificateSubject"},
    {"X.509 Certificate Issuer", "X_509CertificateIssuer"},
    {"Certificate Identifier", ""},
    {"Certificate Subject", ""},
    {"Certificate Issuer", ""},
    {"Digital Signature Algorithm", "DigitalSignatureAlgorithm"},
    {"Digest", "Digest"},
    {"Operation Policy Name", ""},
    {"Cryptographic Usage Mask", "CryptographicUsageMask"},
    {"Lease Time", "LeaseTime"},
    {"Usage Limits", "UsageLimits"},
    {"State", "State"},
    {"Initial Date", "InitialDate"},
    {"Activation Date", "ActivationDate"},
    {"Process Start Date", "ProcessStartDate"},
    {"Protect Stop Date", "ProtectStopDate"},
    {"Deactivation Date", "DeactivationDate"},
    {"Destroy Date", "DestroyDate"},
    {"Compromise Occurrence Date", "CompromiseOccurrenceDate"},
    {"Compromise Date", "CompromiseDate"},
    {"Revocation Reason", "RevocationReason"},
    {"Archive Date", "ArchiveDate"},
    {"Object Group", "ObjectGroup"},
    {"Fresh", "Fresh"},
    {"Link", "Link"},
    {"Application Specific Information", "ApplicationSpecificInformation"},
    {"Contact Information", "ContactInformation"},
    {"Last Change Date", "LastChangeDate"},
    {"Alternative Name", "AlternativeName"},
    {"Key Value Present", "KeyValuePresent"},
    {"Key Value Location", "KeyValueLocation"},
    {"Original Creation Date", "OriginalCreationDate"},
    {"Random Number Generator", "RandomNumberGenerator"},
    {"PKCS#12 Friendly Name", "PKCS_12FriendlyName"},
    {"Description", "Description"},
    {"Comment", "Comment"},
    {"Sensitive", "Sensitive"},
    {"Always Sensitive", "AlwaysSensitive"},
    {"Extractable", "Extractable"},
    {"Never Extractable", "NeverExtractable"},
    {"Custom Attribute", ""},
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
  for (const auto& [text, tag] : kNames) {
    if (text != name) continue;
    if (tag.empty() || !attributes::AttributeRules::find(tag)) return std::nullopt;
    return attributes::AttributeKey{std::string(tag), {}, {}};
  }
  return std::nullopt;
}

std::optional<std::string> nameOf(const attributes::AttributeKey& key) {
  if (key.isVendor()) {
    if (key.vendor == "x" || key.vendor == "y") return fmt::format("{}-{}", key.vendor, key.name);
    return fmt::format("y-{}:{}", key.vendor, key.name);
  }
  for (const auto& [text, tag] : kNames) {
    if (!tag.empty() && tag == key.tag) return std::string(text);
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

std::optional<Ttlv> toAttribute(const Ttlv& item, std::int32_t index) {
  const auto key = attributes::keyOf(item);
  const auto name = nameOf(key);
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
