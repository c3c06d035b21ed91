#include "kms/ops/CoreSupport.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::ops::core {

using kmip::Ttlv;

Ttlv retag(const Ttlv& item, std::string tag) {
  using kmip::ItemType;
  switch (item.type()) {
    case ItemType::Structure: return Ttlv::structure(std::move(tag), item.items());
    case ItemType::Integer: return Ttlv::integer(std::move(tag), static_cast<std::int32_t>(item.number()));
    case ItemType::LongInteger: return Ttlv::longInteger(std::move(tag), item.number());
    case ItemType::BigInteger: return Ttlv::bigInteger(std::move(tag), item.bytes());
    case ItemType::Enumeration: return Ttlv::enumeration(std::move(tag), static_cast<std::uint32_t>(item.number()));
    case ItemType::Boolean: return Ttlv::boolean(std::move(tag), item.number() != 0);
    case ItemType::TextString: return Ttlv::textString(std::move(tag), item.text());
    case ItemType::ByteString: return Ttlv::byteString(std::move(tag), item.bytes());
    case ItemType::DateTime: return Ttlv::dateTime(std::move(tag), item.number());
    case ItemType::Interval: return Ttlv::interval(std::move(tag), static_cast<std::uint32_t>(item.number()));
    case ItemType::DateTimeExtended: return Ttlv::dateTimeExtended(std::move(tag), item.number());
  }
  return Ttlv::structure(std::move(tag), item.items());
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- JSON string arrays (tags) ------------------------------------------------------------

namespace {

void skipSpace(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool parseHex4(std::string_view s, std::size_t i, std::uint32_t& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = s[k];
    out <<= 4;
    if (c >= '0' && c <= '9') out |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') out |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') out |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}

bool parseString(std::string_view s, std::size_t& i, std::string& out) {
  if (i >= s.size() || s[i] != '"') return false;
  ++i;
  while (i < s.size()) {
    const char c = s[i++];
    if (c == '"') return true;
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= s.size()) return false;
    const char e = s[i++];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!parseHex4(s, i, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low = 0;
          if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u' || !parseHex4(s, i + 2, low) || low < 0xDC00 ||
              low > 0xDFFF) {
            return false;
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        appendUtf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return false;
}

}  // namespace

std::optional<std::vector<std::string>> parseJsonStringArray(std::string_view text) {
  std::vector<std::string> values;
  std::size_t i = 0;
  skipSpace(text, i);
  if (i >= text.size() || text[i] != '[') return std::nullopt;
  ++i;
  skipSpace(text, i);
  if (i < text.size() && text[i] == ']') {
    ++i;
  } else {
    for (;;) {
      skipSpace(text, i);
      std::string value;
      if (!parseString(text, i, value)) return std::nullopt;
      values.push_back(std::move(value));
      skipSpace(text, i);
      if (i >= text.size()) return std::nullopt;
      if (text[i] == ',') {
        ++i;
        continue;
      }
      if (text[i] == ']') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  skipSpace(text, i);
  if (i != text.size()) return std::nullopt;
  return values;
}

std::string formatJsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (k) out += ',';
    out += '"';
    for (const char c : values[k]) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }
  out += ']';
  return out;
}

std::string enumText(std::string_view tag, std::uint32_t value) {
  if (auto name = kmip::Dictionary::enumName(tag, value)) return std::string(*name);
  return fmt::format("0x{:08X}", value);
}

std::string stateText(kmip::State state) { return enumText("State", static_cast<std::uint32_t>(state)); }

// ---- attribute rules ----------------------------------------------------------------------

namespace {

struct RuleEntry {
  std::string_view tag;
  bool modifiable;
  bool deletable;
  bool multiple;
};

// KMIP 2.1 section 4. "Modifiable by client: Yes, only while in <state>" is `true` here; the
// handlers enforce the state condition.
constexpr std::array kRules{
    RuleEntry{"ActivationDate", true, false, false},
    RuleEntry{"AlternativeName", true, true, true},
    RuleEntry{"AlwaysSensitive", false, false, false},
    RuleEntry{"ApplicationSpecificInformation", true, true, true},
    RuleEntry{"ArchiveDate", false, false, false},
    RuleEntry{"CertificateLength", false, false, false},
    RuleEntry{"CertificateType", false, false, false},
    RuleEntry{"Comment", true, true, false},
    RuleEntry{"CompromiseDate", false, false, false},
    RuleEntry{"CompromiseOccurrenceDate", false, false, false},
    RuleEntry{"ContactInformation", true, true, false},
    RuleEntry{"CryptographicAlgorithm", false, false, false},
    RuleEntry{"CryptographicDomainParameters", false, false, false},
    RuleEntry{"CryptographicLength", false, false, false},
    RuleEntry{"CryptographicParameters", true, true, true},
    RuleEntry{"CryptographicUsageMask", false, false, false},
    RuleEntry{"DeactivationDate", true, false, false},
    RuleEntry{"Description", true, true, false},
    RuleEntry{"DestroyDate", false, false, false},
    RuleEntry{"Digest", false, false, true},
    RuleEntry{"DigitalSignatureAlgorithm", false, false, true},
    RuleEntry{"Extractable", true, false, false},
    RuleEntry{"Fresh", false, false, false},
    RuleEntry{"InitialDate", false, false, false},
    RuleEntry{"KeyFormatType", false, false, false},
    RuleEntry{"KeyValueLocation", true, true, true},
    RuleEntry{"KeyValuePresent", false, false, false},
    RuleEntry{"LastChangeDate", false, false, false},
    RuleEntry{"LeaseTime", false, false, false},
    RuleEntry{"Link", true, true, true},
    RuleEntry{"Name", true, true, true},
    RuleEntry{"NeverExtractable", false, false, false},
    RuleEntry{"NISTKeyType", false, false, true},
    RuleEntry{"ObjectGroup", true, true, true},
    RuleEntry{"ObjectType", false, false, false},
    RuleEntry{"OpaqueDataType", false, false, false},
    RuleEntry{"OriginalCreationDate", false, false, false},
    RuleEntry{"PKCS_12FriendlyName", true, true, false},
    RuleEntry{"ProcessStartDate", true, false, false},
    RuleEntry{"ProtectStopDate", true, false, false},
    RuleEntry{"ProtectionLevel", true, true, false},
    RuleEntry{"ProtectionPeriod", true, true, false},
    RuleEntry{"ProtectionStorageMask", false, false, false},
    RuleEntry{"QuantumSafe", true, true, false},
    RuleEntry{"RandomNumberGenerator", false, false, false},
    RuleEntry{"RevocationReason", false, false, false},
    RuleEntry{"RotateAutomatic", false, false, false},
    RuleEntry{"RotateDate", true, false, false},
    RuleEntry{"RotateGeneration", false, false, false},
    RuleEntry{"RotateInterval", true, true, false},
    RuleEntry{"RotateLatest", false, false, false},
    RuleEntry{"RotateName", true, true, false},
    RuleEntry{"RotateOffset", true, true, false},
    RuleEntry{"Sensitive", true, false, false},
    RuleEntry{"ShortUniqueIdentifier", false, false, false},
    RuleEntry{"State", false, false, false},
    RuleEntry{"UniqueIdentifier", false, false, false},
    RuleEntry{"UsageLimits", true, true, false},
    RuleEntry{"X_509CertificateIdentifier", false, false, false},
    RuleEntry{"X_509CertificateIssuer", false, false, false},
    RuleEntry{"X_509CertificateSubject", false, false, false},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

AttributeRule attributeRule(std::string_view tag) {
  if (tag == "Attribute") return AttributeRule{true, true, true, false};
  for (const auto& r : kRules) {
    if (r.tag == tag) return AttributeRule{true, r.modifiable, r.deletable, r.multiple};
  }
  return AttributeRule{};
}

std::string AttributeKey::display() const {
  if (isVendor()) return fmt::format("vendor attribute {}:{}", vendor, name);
  return tag;
}

bool sameVendor(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool keyMatches(const AttributeKey& a, const AttributeKey& b) noexcept {
  if (a.isVendor() != b.isVendor()) return false;
  if (a.isVendor()) return sameVendor(a.vendor, b.vendor) && a.name == b.name;
  return a.tag == b.tag;
}

bool isVendorEntry(const Ttlv& item) {
  if (!item.isStructure()) return false;
  if (item.tag() != "Attribute" && item.tag() != "VendorAttribute" && item.tag() != "VendorAttributes") return false;
  const auto* vendor = item.find("VendorIdentification");
  const auto* name = item.find("AttributeName");
  return vendor != nullptr && name != nullptr && vendor->type() == kmip::ItemType::TextString &&
         name->type() == kmip::ItemType::TextString;
}

AttributeKey keyOf(const Ttlv& attribute) {
  if (isVendorEntry(attribute)) {
    return AttributeKey{"Attribute", attribute.find("VendorIdentification")->text(),
                        attribute.find("AttributeName")->text()};
  }
  return AttributeKey{attribute.tag(), {}, {}};
}

namespace {

std::optional<std::string> standardTagFromName(std::string_view name) {
  std::string compact;
  for (const char c : name) {
    if (c != ' ') compact += c;
  }
  if (compact.empty()) return std::nullopt;
  if (attributeRule(compact).known) return compact;
  // KMIP 1.x names such as "x-Foo" have no standard counterpart.
  for (const auto& r : kRules) {
    if (lower(r.tag) == lower(compact)) return std::string(r.tag);
  }
  return std::nullopt;
}

}  // namespace

AttributeKey keyOfReference(const Ttlv& reference) {
  if (reference.type() == kmip::ItemType::Enumeration) {
    const auto name = kmip::Dictionary::tagName(reference.asEnumeration());
    if (!name) {
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("AttributeReference 0x{:06X} is not a known tag", reference.asEnumeration()));
    }
    std::string tag(*name);
    if (!attributeRule(tag).known) {
      throw Exception(ErrorCode::InvalidField, fmt::format("AttributeReference {} is not an attribute", tag));
    }
    return AttributeKey{tag, {}, {}};
  }
  if (reference.isStructure()) {
    const auto* vendor = reference.find("VendorIdentification");
    const auto* name = reference.find("AttributeName");
    if (name == nullptr || name->type() != kmip::ItemType::TextString) {
      throw Exception(ErrorCode::InvalidField, "AttributeReference has no AttributeName");
    }
    const std::string vendorText = vendor != nullptr && vendor->type() == kmip::ItemType::TextString ? vendor->text() : "";
    if (vendorText.empty()) {
      if (auto tag = standardTagFromName(name->text())) return AttributeKey{*tag, {}, {}};
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("AttributeReference '{}' is not an attribute", name->text().substr(0, 64)));
    }
    return AttributeKey{"Attribute", vendorText, name->text()};
  }
  throw Exception(ErrorCode::InvalidField, "AttributeReference must be an Enumeration or a Structure");
}

Ttlv referenceFor(const AttributeKey& key) {
  if (key.isVendor()) {
    return Ttlv::structure("AttributeReference", {Ttlv::textString("VendorIdentification", key.vendor),
                                                  Ttlv::textString("AttributeName", key.name)});
  }
  const auto code = kmip::Dictionary::tagCode(key.tag);
  return Ttlv::enumeration("AttributeReference", code ? *code : 0);
}

namespace {

Ttlv asStandardVendorEntry(const Ttlv& entry) {
  Ttlv out = Ttlv::structure("Attribute");
  out.add(Ttlv::textString("VendorIdentification", entry.find("VendorIdentification")->text()));
  out.add(Ttlv::textString("AttributeName", entry.find("AttributeName")->text()));
  if (const auto* value = entry.find("AttributeValue")) out.add(*value);
  return out;
}

}  // namespace

void normalizeVendorAttributes(Ttlv& attributes) {
  std::vector<Ttlv> out;
  out.reserve(attributes.items().size());
  for (auto& item : attributes.items()) {
    if (isVendorEntry(item)) {
      out.push_back(asStandardVendorEntry(item));
    } else if (item.isStructure() && (item.tag() == "VendorAttributes" || item.tag() == "VendorAttribute")) {
      for (const auto& inner : item.items()) {
        if (isVendorEntry(inner)) out.push_back(asStandardVendorEntry(inner));
      }
    } else {
      out.push_back(std::move(item));
    }
  }
  attributes.items() = std::move(out);
}

Ttlv singleAttribute(const Ttlv& wrapper) {
  if (isVendorEntry(wrapper)) return asStandardVendorEntry(wrapper);
  Ttlv copy = wrapper;
  normalizeVendorAttributes(copy);
  if (copy.items().size() != 1) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("{} must hold exactly one attribute, not {}", wrapper.tag(), copy.items().size()));
  }
  return copy.items().front();
}

std::vector<std::size_t> instancesOf(const Ttlv& attributes, const AttributeKey& key) {
  std::vector<std::size_t> out;
  const auto& items = attributes.items();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (keyMatches(keyOf(items[i]), key)) out.push_back(i);
  }
  return out;
}

}  // namespace kms::ops::core
