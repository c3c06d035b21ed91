#include "kms/kmip/Ttlv.hpp"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::kmip {
namespace {

constexpr std::array<std::pair<ItemType, std::string_view>, 11> kTypeNames{{
    {ItemType::Structure, "Structure"},
    {ItemType::Integer, "Integer"},
    {ItemType::LongInteger, "LongInteger"},
    {ItemType::BigInteger, "BigInteger"},
    {ItemType::Enumeration, "Enumeration"},
    {ItemType::Boolean, "Boolean"},
    {ItemType::TextString, "TextString"},
    {ItemType::ByteString, "ByteString"},
    {ItemType::DateTime, "DateTime"},
    {ItemType::Interval, "Interval"},
    {ItemType::DateTimeExtended, "DateTimeExtended"},
}};

}  // namespace

std::string_view itemTypeName(ItemType type) noexcept {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "Unknown";
}

bool itemTypeFromName(std::string_view name, ItemType& out) noexcept {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) {
      out = t;
      return true;
    }
  }
  return false;
}

Ttlv Ttlv::structure(std::string tag, std::vector<Ttlv> items) {
  Ttlv t(std::move(tag), ItemType::Structure);
  t.items_ = std::move(items);
  return t;
}

Ttlv Ttlv::integer(std::string tag, std::int32_t value) {
  Ttlv t(std::move(tag), ItemType::Integer);
  t.number_ = value;
  return t;
}

Ttlv Ttlv::longInteger(std::string tag, std::int64_t value) {
  Ttlv t(std::move(tag), ItemType::LongInteger);
  t.number_ = value;
  return t;
}

Ttlv Ttlv::bigInteger(std::string tag, Bytes value) {
  Ttlv t(std::move(tag), ItemType::BigInteger);
  t.bytes_ = std::move(value);
  return t;
}

Ttlv Ttlv::enumeration(std::string tag, std::uint32_t value) {
  Ttlv t(std::move(tag), ItemType::Enumeration);
  t.number_ = value;
  return t;
}

Ttlv Ttlv::boolean(std::string tag, bool value) {
  Ttlv t(std::move(tag), ItemType::Boolean);
  t.number_ = value ? 1 : 0;
  return t;
}

Ttlv Ttlv::textString(std::string tag, std::string value) {
  Ttlv t(std::move(tag), ItemType::TextString);
  t.text_ = std::move(value);
  return t;
}

Ttlv Ttlv::byteString(std::string tag, Bytes value) {
  Ttlv t(std::move(tag), ItemType::ByteString);
  t.bytes_ = std::move(value);
  return t;
}

Ttlv Ttlv::dateTime(std::string tag, std::int64_t epochSeconds) {
  Ttlv t(std::move(tag), ItemType::DateTime);
  t.number_ = epochSeconds;
  return t;
}

Ttlv Ttlv::interval(std::string tag, std::uint32_t seconds) {
  Ttlv t(std::move(tag), ItemType::Interval);
  t.number_ = seconds;
  return t;
}

Ttlv Ttlv::dateTimeExtended(std::string tag, std::int64_t epochMicros) {
  Ttlv t(std::move(tag), ItemType::DateTimeExtended);
  t.number_ = epochMicros;
  return t;
}

void Ttlv::expect(ItemType type) const {
  if (type_ != type) {
    throw Exception(ErrorCode::InvalidMessage,
                    fmt::format("{} must be of type {}, not {}", tag_, itemTypeName(type), itemTypeName(type_)));
  }
}

std::int32_t Ttlv::asInteger() const {
  expect(ItemType::Integer);
  return static_cast<std::int32_t>(number_);
}

std::int64_t Ttlv::asLongInteger() const {
  expect(ItemType::LongInteger);
  return number_;
}

std::uint32_t Ttlv::asEnumeration() const {
  expect(ItemType::Enumeration);
  return static_cast<std::uint32_t>(number_);
}

bool Ttlv::asBoolean() const {
  expect(ItemType::Boolean);
  return number_ != 0;
}

const std::string& Ttlv::asText() const {
  expect(ItemType::TextString);
  return text_;
}

const Ttlv::Bytes& Ttlv::asBytes() const {
  if (type_ != ItemType::BigInteger) expect(ItemType::ByteString);
  return bytes_;
}

std::int64_t Ttlv::asDateTime() const {
  expect(ItemType::DateTime);
  return number_;
}

std::uint32_t Ttlv::asInterval() const {
  expect(ItemType::Interval);
  return static_cast<std::uint32_t>(number_);
}

std::int64_t Ttlv::asDateTimeExtended() const {
  expect(ItemType::DateTimeExtended);
  return number_;
}

Ttlv Ttlv::withTag(std::string tag) const {
  Ttlv copy = *this;
  copy.tag_ = std::move(tag);
  return copy;
}

Ttlv& Ttlv::add(Ttlv child) {
  items_.push_back(std::move(child));
  return items_.back();
}

const Ttlv* Ttlv::find(std::string_view tag) const noexcept {
  for (const auto& item : items_) {
    if (item.tag_ == tag) return &item;
  }
  return nullptr;
}

Ttlv* Ttlv::find(std::string_view tag) noexcept {
  for (auto& item : items_) {
    if (item.tag_ == tag) return &item;
  }
  return nullptr;
}

const Ttlv& Ttlv::at(std::string_view tag) const {
  const Ttlv* item = find(tag);
  if (item == nullptr) {
    throw Exception(ErrorCode::MissingData, fmt::format("{} is required in {}", tag, tag_));
  }
  return *item;
}

std::vector<const Ttlv*> Ttlv::findAll(std::string_view tag) const {
  std::vector<const Ttlv*> found;
  for (const auto& item : items_) {
    if (item.tag_ == tag) found.push_back(&item);
  }
  return found;
}

std::size_t Ttlv::removeAll(std::string_view tag) {
  return std::erase_if(items_, [&](const Ttlv& item) { return item.tag_ == tag; });
}

void Ttlv::wipe() noexcept {
  // explicit_bzero: a plain memset before the buffers are freed may be optimised away.
  if (!bytes_.empty()) explicit_bzero(bytes_.data(), bytes_.size());
  if (!text_.empty()) explicit_bzero(text_.data(), text_.size());
  for (auto& item : items_) item.wipe();
}

}  // namespace kms::kmip
