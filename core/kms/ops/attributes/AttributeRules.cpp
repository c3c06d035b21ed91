#include "kms/ops/attributes/AttributeRules.hpp"

#include <array>

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::ops::attributes {

namespace {

using kmip::ItemType;
using kmip::Ttlv;
using Setter = AttributeRules::Setter;
using Change = AttributeRules::Change;
using Spec = AttributeRules::Spec;

constexpr auto kStructure = ItemType::Structure;
constexpr auto kText = ItemType::TextString;
constexpr auto kEnum = ItemType::Enumeration;
constexpr auto kInt = ItemType::Integer;
constexpr auto kBool = ItemType::Boolean;
constexpr auto kDate = ItemType::DateTime;
constexpr auto kInterval = ItemType::Interval;
constexpr auto kClient = Setter::Client;
constexpr auto kServer = Setter::Server;

// KMIP 2.1 section 4, one row per attribute: tag, encoding, setter, modifiable by client,
// deletable by client, multiple instances, how an edit may change it. "Modifiable by client:
// Yes, only while in <state>" is `true` with the state in `change`. Setter::Server are the
// attributes whose value only the server may know (identity, lifecycle, history); kmsd lets
// clients give the others at creation (CryptographicAlgorithm, UsageMask, ... decide what the
// server makes), which section 4 allows for most and Cosmian's clients rely on.
// tools/check_attribute_rules.py compares the encodings and the client columns with the spec.
constexpr std::array kTable{
    Spec{"ActivationDate", kDate, kClient, true, false, false, Change::WhilePreActive},
    Spec{"AlternativeName", kStructure, kClient, true, true, true, Change::Any},
    Spec{"AlwaysSensitive", kBool, kServer, false, false, false, Change::Any},
    Spec{"ApplicationSpecificInformation", kStructure, kClient, true, true, true, Change::Any},
    Spec{"ArchiveDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"CertificateLength", kInt, kClient, false, false, false, Change::Any},
    Spec{"CertificateType", kEnum, kClient, false, false, false, Change::Any},
    Spec{"Comment", kText, kClient, true, true, false, Change::Any},
    Spec{"CompromiseDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"CompromiseOccurrenceDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"ContactInformation", kText, kClient, true, true, false, Change::Any},
    Spec{"CryptographicAlgorithm", kEnum, kClient, false, false, false, Change::Any},
    Spec{"CryptographicDomainParameters", kStructure, kClient, false, false, false, Change::Any},
    Spec{"CryptographicLength", kInt, kClient, false, false, false, Change::Any},
    Spec{"CryptographicParameters", kStructure, kClient, true, true, true, Change::Any},
    Spec{"CryptographicUsageMask", kInt, kClient, false, false, false, Change::Any},
    Spec{"DeactivationDate", kDate, kClient, true, false, false, Change::WhilePreActiveOrActive},
    Spec{"Description", kText, kClient, true, true, false, Change::Any},
    Spec{"DestroyDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"Digest", kStructure, kServer, false, false, true, Change::Any},
    Spec{"DigitalSignatureAlgorithm", kEnum, kClient, false, false, true, Change::Any},
    Spec{"Extractable", kBool, kClient, true, false, false, Change::OnlyToFalse},
    Spec{"Fresh", kBool, kClient, false, false, false, Change::Any},
    Spec{"InitialDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"KeyFormatType", kEnum, kClient, false, false, false, Change::Any},
    Spec{"KeyValueLocation", kStructure, kClient, true, true, true, Change::Any},
    Spec{"KeyValuePresent", kBool, kServer, false, false, false, Change::Any},
    Spec{"LastChangeDate", kDate, kServer, false, false, false, Change::Any},
    Spec{"LeaseTime", kInterval, kClient, false, false, false, Change::Any},
    Spec{"Link", kStructure, kClient, true, true, true, Change::Any},
    Spec{"Name", kStructure, kClient, true, true, true, Change::Any},
    Spec{"NeverExtractable", kBool, kServer, false, false, false, Change::Any},
    Spec{"NISTKeyType", kEnum, kClient, false, false, true, Change::Any},
    Spec{"ObjectGroup", kText, kClient, true, true, true, Change::Any},
    Spec{"ObjectType", kEnum, kServer, false, false, false, Change::Any},
    Spec{"OpaqueDataType", kEnum, kClient, false, false, false, Change::Any},
    Spec{"OriginalCreationDate", kDate, kClient, false, false, false, Change::Any},
    Spec{"PKCS_12FriendlyName", kText, kClient, true, true, false, Change::Any},
    Spec{"ProcessStartDate", kDate, kClient, true, false, false, Change::WhilePreActiveOrActive},
    Spec{"ProtectStopDate", kDate, kClient, true, false, false, Change::WhilePreActiveOrActive},
    Spec{"ProtectionLevel", kEnum, kClient, true, true, false, Change::Any},
    Spec{"ProtectionPeriod", kInterval, kClient, true, true, false, Change::Any},
    Spec{"ProtectionStorageMask", kInt, kClient, false, false, false, Change::Any},
    Spec{"QuantumSafe", kBool, kClient, true, true, false, Change::Any},
    Spec{"RandomNumberGenerator", kStructure, kClient, false, false, false, Change::Any},
    Spec{"RevocationReason", kStructure, kServer, false, false, false, Change::Any},
    Spec{"RotateAutomatic", kBool, kClient, false, false, false, Change::Any},
    Spec{"RotateDate", kDate, kClient, true, false, false, Change::Any},
    Spec{"RotateGeneration", kInt, kClient, false, false, false, Change::Any},
    Spec{"RotateInterval", kInterval, kClient, true, true, false, Change::Any},
    Spec{"RotateLatest", kBool, kClient, false, false, false, Change::Any},
    Spec{"RotateName", kStructure, kClient, true, true, false, Change::Any},
    Spec{"RotateOffset", kInterval, kClient, true, true, false, Change::Any},
    Spec{"Sensitive", kBool, kClient, true, false, false, Change::OnlyToTrue},
    Spec{"ShortUniqueIdentifier", ItemType::ByteString, kClient, false, false, false, Change::Any},
    Spec{"State", kEnum, kServer, false, false, false, Change::Any},
    Spec{"UniqueIdentifier", kText, kServer, false, false, false, Change::Any},
    Spec{"UsageLimits", kStructure, kClient, true, true, false, Change::Any},
    Spec{"X_509CertificateIdentifier", kStructure, kClient, false, false, false, Change::Any},
    Spec{"X_509CertificateIssuer", kStructure, kClient, false, false, false, Change::Any},
    Spec{"X_509CertificateSubject", kStructure, kClient, false, false, false, Change::Any},
};

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what RFC 3339 (KMIP's JSON and XML) can
// write; in microseconds still far from int64 overflow.
constexpr std::int64_t kMinDate = -62'167'219'200;
constexpr std::int64_t kMaxDate = 253'402'300'799;

bool flag(const Ttlv& attributes, std::string_view tag, bool& out) {
  const auto* item = attributes.find(tag);
  if (item == nullptr || item->type() != ItemType::Boolean) return false;
  out = item->asBoolean();
  return true;
}

void setFlag(Ttlv& attributes, std::string_view tag, bool value) {
  for (auto& item : attributes.items()) {
    if (item.tag() == tag) {
      item = Ttlv::boolean(std::string(tag), value);
      return;
    }
  }
  attributes.add(Ttlv::boolean(std::string(tag), value));
}

}  // namespace

std::optional<Spec> AttributeRules::find(std::string_view tag) noexcept {
  for (const auto& spec : kTable) {
    if (spec.tag == tag) return spec;
  }
  return std::nullopt;
}

std::span<const Spec> AttributeRules::all() noexcept {
  return kTable;
}

void AttributeRules::checkValue(const Spec& spec, const Ttlv& value) {
  if (value.type() != spec.type) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("attribute {} must be a {}, not a {}", spec.tag, kmip::itemTypeName(spec.type),
                                kmip::itemTypeName(value.type())));
  }
  if (spec.type == ItemType::DateTime && (value.number() < kMinDate || value.number() > kMaxDate)) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("attribute {} must be a date between the years 0000 and 9999", spec.tag));
  }
}

void AttributeRules::checkValue(const Ttlv& value) {
  if (const auto spec = find(value.tag())) checkValue(*spec, value);
}

void AttributeRules::checkChange(const Spec& spec, const Ttlv* current, const Ttlv& next) {
  // Both are Booleans here: `next` passed checkValue, and a stored value of another type (a row
  // written before types were checked) counts as the protective one.
  const auto now = [&](bool protective) {
    return current == nullptr ? !protective
                              : (current->type() == ItemType::Boolean ? current->asBoolean() : protective);
  };
  if (spec.change == Change::OnlyToTrue && now(true) && !next.asBoolean()) {
    throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} cannot go from true to false", spec.tag));
  }
  if (spec.change == Change::OnlyToFalse && !now(false) && next.asBoolean()) {
    throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} cannot go from false to true", spec.tag));
  }
}

void AttributeRules::maintainDerivedFlags(Ttlv& attributes) {
  bool value = false;
  bool derived = false;
  if (flag(attributes, "Sensitive", value) && !value && flag(attributes, "AlwaysSensitive", derived) && derived) {
    setFlag(attributes, "AlwaysSensitive", false);
  }
  if (flag(attributes, "Extractable", value) && value && flag(attributes, "NeverExtractable", derived) && derived) {
    setFlag(attributes, "NeverExtractable", false);
  }
}

}  // namespace kms::ops::attributes
