#include "kms/ops/attributes/AttributeSet.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"

namespace kms::ops::attributes {

using kmip::ItemType;
using kmip::Ttlv;

namespace {

const Ttlv* typed(const Ttlv& attributes, std::string_view tag, ItemType type) {
  const auto* item = attributes.find(tag);
  if (item == nullptr) return nullptr;
  if (item->type() != type) {
    throw Exception(ErrorCode::InvalidField, fmt::format("attribute {} has type {}, expected {}", tag,
                                                         kmip::itemTypeName(item->type()), kmip::itemTypeName(type)));
  }
  return item;
}

bool vendorMatches(const Ttlv& entry, const std::vector<std::string>& vendors, std::string_view name) {
  if (!attributes::isVendorEntry(entry)) return false;
  if (entry.find("AttributeName")->text() != name) return false;
  const auto& vendor = entry.find("VendorIdentification")->text();
  for (const auto& v : vendors) {
    if (attributes::sameVendor(v, vendor)) return true;
  }
  return false;
}

}  // namespace

std::optional<kmip::State> AttributeSet::state() const {
  const auto* item = typed(attributes_, "State", ItemType::Enumeration);
  if (item == nullptr) return std::nullopt;
  return static_cast<kmip::State>(item->asEnumeration());
}

void AttributeSet::setState(kmip::State state) {
  set(Ttlv::enumeration("State", static_cast<std::uint32_t>(state)));
}

std::optional<kmip::CryptographicAlgorithm> AttributeSet::algorithm() const {
  const auto* item = typed(attributes_, "CryptographicAlgorithm", ItemType::Enumeration);
  if (item == nullptr) return std::nullopt;
  return static_cast<kmip::CryptographicAlgorithm>(item->asEnumeration());
}

std::optional<std::int32_t> AttributeSet::length() const {
  const auto* item = typed(attributes_, "CryptographicLength", ItemType::Integer);
  if (item == nullptr) return std::nullopt;
  return item->asInteger();
}

std::optional<std::uint32_t> AttributeSet::usageMask() const {
  const auto* item = typed(attributes_, "CryptographicUsageMask", ItemType::Integer);
  if (item == nullptr) return std::nullopt;
  return static_cast<std::uint32_t>(item->asInteger());
}

std::vector<std::string> AttributeSet::names() const {
  std::vector<std::string> out;
  for (const auto* name : attributes_.findAll("Name")) {
    const auto* value = name->isStructure() ? name->find("NameValue") : nullptr;
    if (value != nullptr && value->type() == ItemType::TextString) out.push_back(value->text());
  }
  return out;
}

std::optional<std::int64_t> AttributeSet::date(std::string_view tag) const {
  const auto* item = attributes_.find(tag);
  if (item == nullptr) return std::nullopt;
  if (item->type() == ItemType::DateTimeExtended) return item->asDateTimeExtended() / 1'000'000;
  return typed(attributes_, tag, ItemType::DateTime)->asDateTime();
}

void AttributeSet::setDate(std::string_view tag, std::int64_t epochSeconds) {
  set(Ttlv::dateTime(std::string(tag), epochSeconds));
}

const Ttlv* AttributeSet::vendorAttribute(const std::vector<std::string>& vendors, std::string_view name) const {
  for (const auto& item : attributes_.items()) {
    if (vendorMatches(item, vendors, name)) return item.find("AttributeValue");
    if (item.isStructure() && (item.tag() == "VendorAttributes" || item.tag() == "VendorAttribute") &&
        !attributes::isVendorEntry(item)) {
      for (const auto& inner : item.items()) {
        if (vendorMatches(inner, vendors, name)) return inner.find("AttributeValue");
      }
    }
  }
  return nullptr;
}

void AttributeSet::setVendorAttribute(const std::string& vendor, const std::string& name, const Ttlv& value) {
  attributes::normalizeVendorAttributes(attributes_);
  auto& items = attributes_.items();
  std::erase_if(items, [&](const Ttlv& item) { return vendorMatches(item, {vendor}, name); });
  Ttlv entry = Ttlv::structure("Attribute");
  entry.add(Ttlv::textString("VendorIdentification", vendor));
  entry.add(Ttlv::textString("AttributeName", name));
  entry.add(value.withTag("AttributeValue"));
  items.push_back(std::move(entry));
}

void AttributeSet::removeVendorAttribute(const std::vector<std::string>& vendors, std::string_view name) {
  attributes::normalizeVendorAttributes(attributes_);
  std::erase_if(attributes_.items(), [&](const Ttlv& item) { return vendorMatches(item, vendors, name); });
}

std::vector<std::string> AttributeSet::tags(const std::vector<std::string>& vendors) const {
  const auto* value = vendorAttribute(vendors, "tag");
  if (value == nullptr) return {};
  std::string_view text;
  if (value->type() == ItemType::TextString) {
    text = value->text();
  } else if (value->type() == ItemType::ByteString) {
    text = std::string_view(reinterpret_cast<const char*>(value->bytes().data()), value->bytes().size());
  } else {
    throw Exception(ErrorCode::InvalidField, "vendor attribute 'tag' must be a TextString or ByteString");
  }
  auto parsed = attributes::parseJsonStringArray(text);
  if (!parsed) throw Exception(ErrorCode::InvalidField, "vendor attribute 'tag' must hold a JSON array of strings");
  std::vector<std::string> out;
  for (auto& tag : *parsed) {
    if (tag.empty()) throw Exception(ErrorCode::InvalidField, "an empty tag is not allowed");
    if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
  }
  return out;
}

void AttributeSet::set(Ttlv value) {
  auto& items = attributes_.items();
  bool replaced = false;
  std::vector<Ttlv> out;
  out.reserve(items.size() + 1);
  for (auto& item : items) {
    if (item.tag() == value.tag()) {
      if (!replaced) {
        out.push_back(value);
        replaced = true;
      }
      continue;
    }
    out.push_back(std::move(item));
  }
  if (!replaced) out.push_back(std::move(value));
  items = std::move(out);
}

}  // namespace kms::ops::attributes
