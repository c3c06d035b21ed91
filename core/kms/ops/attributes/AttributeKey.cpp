#include "kms/ops/attributes/AttributeKey.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/attributes/AttributeRules.hpp"

namespace kms::ops::attributes {

using kmip::Ttlv;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

AttributeRule attributeRule(std::string_view tag) {
  if (tag == "Attribute") return AttributeRule{true, true, true, false};
  if (const auto spec = AttributeRules::find(tag)) {
    return AttributeRule{true, spec->modifiable, spec->deletable, spec->multiple};
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
  for (const auto& spec : AttributeRules::all()) {
    if (lower(spec.tag) == lower(compact)) return std::string(spec.tag);
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
    const std::string vendorText =
        vendor != nullptr && vendor->type() == kmip::ItemType::TextString ? vendor->text() : "";
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

// KMIP 1.x form of a standard attribute: `Attribute {AttributeName "Sensitive", AttributeValue
// ...}` without a vendor identification (or an empty one). It is that standard attribute, so
// the same rules apply to it; nullopt for anything else.
std::optional<Ttlv> legacyStandard(const Ttlv& entry) {
  if (!entry.isStructure() || (entry.tag() != "Attribute" && entry.tag() != "VendorAttribute")) return std::nullopt;
  const auto* name = entry.find("AttributeName");
  if (name == nullptr || name->type() != kmip::ItemType::TextString) return std::nullopt;
  if (const auto* vendor = entry.find("VendorIdentification");
      vendor != nullptr && (vendor->type() != kmip::ItemType::TextString || !vendor->text().empty())) {
    return std::nullopt;
  }
  const auto tag = standardTagFromName(name->text());
  if (!tag || *tag == "Attribute") return std::nullopt;
  const auto* value = entry.find("AttributeValue");
  if (value == nullptr) {
    throw Exception(ErrorCode::InvalidField, fmt::format("attribute {} has no AttributeValue", *tag));
  }
  return value->withTag(*tag);
}

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
    if (auto standard = legacyStandard(item)) {
      out.push_back(std::move(*standard));
    } else if (isVendorEntry(item)) {
      out.push_back(asStandardVendorEntry(item));
    } else if (item.isStructure() && (item.tag() == "VendorAttributes" || item.tag() == "VendorAttribute")) {
      for (const auto& inner : item.items()) {
        if (auto standard = legacyStandard(inner)) {
          out.push_back(std::move(*standard));
        } else if (isVendorEntry(inner)) {
          out.push_back(asStandardVendorEntry(inner));
        }
      }
    } else {
      out.push_back(std::move(item));
    }
  }
  attributes.items() = std::move(out);
}

Ttlv singleAttribute(const Ttlv& wrapper) {
  if (auto standard = legacyStandard(wrapper)) return std::move(*standard);
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

}  // namespace kms::ops::attributes
