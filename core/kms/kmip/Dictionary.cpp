#include "kms/kmip/Dictionary.hpp"

#include <cstdio>
#include <unordered_map>

#include "kms/kmip/DictionaryData.hpp"

namespace kms::kmip {
namespace {

// Built once from the generated tables; read-only afterwards, so safe to share across threads.
struct Index {
  std::unordered_map<std::string_view, std::uint32_t> tagCodes;
  std::unordered_map<std::uint32_t, std::string_view> tagNames;
  std::unordered_map<std::string_view, std::string_view> tagEnumeration;  // tag -> enumeration
  // (enumeration, value name) and (enumeration, value) lookups, keyed by a joined string.
  std::unordered_map<std::string, std::uint32_t> enumValues;
  // (enumeration, loose name): the spelling without underscores, dashes, dots or case that
  // Cosmian's clients send (SHA256 for SHA_256, PKCS8, RSASSAPSS, PKCS1v15). A loose name two
  // values of one enumeration share is left out: it names neither.
  std::unordered_map<std::string, std::optional<std::uint32_t>> looseEnumValues;
  std::unordered_map<std::string, std::string_view> enumNames;
  std::unordered_map<std::string, std::uint32_t> maskBits;
  std::unordered_map<std::string_view, bool> masks;

  Index() {
    for (const auto& tag : data::kTags) {
      tagCodes.emplace(tag.name, tag.code);
      tagNames.emplace(tag.code, tag.name);
    }
    for (const auto& entry : data::kTagEnums) tagEnumeration.emplace(entry.tag, entry.enumeration);
    for (const auto& entry : data::kEnumValues) {
      enumValues.emplace(key(entry.enumeration, entry.name), entry.value);
      enumNames.emplace(key(entry.enumeration, entry.value), entry.name);
      const auto [it, fresh] = looseEnumValues.emplace(key(entry.enumeration, loose(entry.name)), entry.value);
      if (!fresh && it->second != entry.value) it->second.reset();
    }
    for (const auto& entry : data::kMaskBits) {
      maskBits.emplace(key(entry.enumeration, entry.name), entry.value);
      masks.emplace(entry.enumeration, true);
    }
  }

  static std::string key(std::string_view enumeration, std::string_view name) {
    std::string k(enumeration);
    k += '/';
    k += name;
    return k;
  }
  static std::string loose(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (const char c : name) {
      if (c == '_' || c == '-' || c == '.' || c == ' ') continue;
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
  }
  static std::string key(std::string_view enumeration, std::uint32_t value) {
    std::string k(enumeration);
    k += '#';
    k += std::to_string(value);
    return k;
  }

  [[nodiscard]] std::optional<std::string_view> enumerationOf(std::string_view tag) const {
    auto it = tagEnumeration.find(tag);
    if (it == tagEnumeration.end()) return std::nullopt;
    return it->second;
  }
};

const Index& index() {
  static const Index instance;
  return instance;
}

bool isAttributeReference(std::string_view tag) {
  return tag == "AttributeReference";
}

}  // namespace

std::optional<std::uint32_t> Dictionary::tagCode(std::string_view tagName) noexcept {
  const auto& idx = index();
  auto it = idx.tagCodes.find(tagName);
  if (it == idx.tagCodes.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Dictionary::tagName(std::uint32_t code) noexcept {
  const auto& idx = index();
  auto it = idx.tagNames.find(code);
  if (it == idx.tagNames.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> Dictionary::enumValue(std::string_view tag, std::string_view valueName) noexcept {
  if (isAttributeReference(tag)) return tagCode(valueName);
  const auto& idx = index();
  auto enumeration = idx.enumerationOf(tag);
  if (!enumeration) return std::nullopt;
  if (auto it = idx.enumValues.find(Index::key(*enumeration, valueName)); it != idx.enumValues.end()) return it->second;
  auto it = idx.looseEnumValues.find(Index::key(*enumeration, Index::loose(valueName)));
  if (it == idx.looseEnumValues.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Dictionary::enumName(std::string_view tag, std::uint32_t value) noexcept {
  if (isAttributeReference(tag)) return tagName(value);
  const auto& idx = index();
  auto enumeration = idx.enumerationOf(tag);
  if (!enumeration) return std::nullopt;
  auto it = idx.enumNames.find(Index::key(*enumeration, value));
  if (it == idx.enumNames.end()) return std::nullopt;
  return it->second;
}

std::string Dictionary::enumText(std::string_view tag, std::uint32_t value) {
  if (auto name = enumName(tag, value)) return std::string(*name);
  char hex[11];
  std::snprintf(hex, sizeof hex, "0x%08X", value);
  return hex;
}

bool Dictionary::isOperationTag(std::string_view tag) noexcept {
  constexpr std::string_view kSuffix = "Response";
  if (tag.ends_with(kSuffix)) tag.remove_suffix(kSuffix.size());
  // Exactly the operation's name: a tag is never spelled loosely.
  const auto& idx = index();
  const auto enumeration = idx.enumerationOf("Operation");
  return enumeration && idx.enumValues.contains(Index::key(*enumeration, tag));
}

bool Dictionary::isMask(std::string_view tag) noexcept {
  return index().masks.contains(tag);
}

std::optional<std::uint32_t> Dictionary::maskBit(std::string_view tag, std::string_view bitName) noexcept {
  const auto& idx = index();
  auto it = idx.maskBits.find(Index::key(tag, bitName));
  if (it == idx.maskBits.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Dictionary::maskNames(std::string_view tag, std::uint32_t value) {
  if (!isMask(tag)) return std::nullopt;
  std::string names;
  std::uint32_t covered = 0;
  for (const auto& entry : data::kMaskBits) {
    if (entry.enumeration != tag || (value & entry.value) == 0) continue;
    if (!names.empty()) names += '|';
    names += entry.name;
    covered |= entry.value;
  }
  if (covered != value || names.empty()) return std::nullopt;
  return names;
}

}  // namespace kms::kmip
