#pragma once
// The in-memory KMIP TTLV tree, independent of any wire encoding.
//
// Tags are held by their KMIP name ("UniqueIdentifier"); a tag without a known name is held
// as "0x54xxxx" (six hex digits). Enumerations hold their numeric value; the codecs turn it
// into a name on the wire where one is known (see kms::kmip::Dictionary).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::kmip {

enum class ItemType : std::uint8_t {
  Structure = 0x01,
  Integer = 0x02,
  LongInteger = 0x03,
  BigInteger = 0x04,
  Enumeration = 0x05,
  Boolean = 0x06,
  TextString = 0x07,
  ByteString = 0x08,
  DateTime = 0x09,
  Interval = 0x0A,
  DateTimeExtended = 0x0B,
};

std::string_view itemTypeName(ItemType type) noexcept;
// Returns false when `name` is not one of the eleven KMIP type names.
bool itemTypeFromName(std::string_view name, ItemType& out) noexcept;

class Ttlv {
 public:
  // Byte strings carry key material (KeyMaterial, wrapped or not): wiped when released.
  using Bytes = kms::SecureBytes;

  Ttlv() = default;

  static Ttlv structure(std::string tag, std::vector<Ttlv> items = {});
  static Ttlv integer(std::string tag, std::int32_t value);
  static Ttlv longInteger(std::string tag, std::int64_t value);
  // Big-endian two's complement magnitude, as on the wire.
  static Ttlv bigInteger(std::string tag, Bytes value);
  static Ttlv enumeration(std::string tag, std::uint32_t value);
  static Ttlv boolean(std::string tag, bool value);
  static Ttlv textString(std::string tag, std::string value);
  static Ttlv byteString(std::string tag, Bytes value);
  // Seconds since the Unix epoch.
  static Ttlv dateTime(std::string tag, std::int64_t epochSeconds);
  static Ttlv interval(std::string tag, std::uint32_t seconds);
  // Microseconds since the Unix epoch.
  static Ttlv dateTimeExtended(std::string tag, std::int64_t epochMicros);

  [[nodiscard]] const std::string& tag() const noexcept { return tag_; }
  [[nodiscard]] ItemType type() const noexcept { return type_; }
  [[nodiscard]] bool isStructure() const noexcept { return type_ == ItemType::Structure; }

  // Typed reads: each throws kms::Exception(InvalidMessage) naming the tag when the item is
  // not of the expected type.
  [[nodiscard]] std::int32_t asInteger() const;
  [[nodiscard]] std::int64_t asLongInteger() const;
  [[nodiscard]] std::uint32_t asEnumeration() const;
  [[nodiscard]] bool asBoolean() const;
  [[nodiscard]] const std::string& asText() const;
  [[nodiscard]] const Bytes& asBytes() const;     // ByteString and BigInteger
  [[nodiscard]] std::int64_t asDateTime() const;  // seconds
  [[nodiscard]] std::uint32_t asInterval() const;
  [[nodiscard]] std::int64_t asDateTimeExtended() const;  // microseconds

  // Raw storage, for codecs: the numeric value of every non-string, non-byte type.
  [[nodiscard]] std::int64_t number() const noexcept { return number_; }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }

  // Children of a Structure, in order.
  [[nodiscard]] const std::vector<Ttlv>& items() const noexcept { return items_; }
  std::vector<Ttlv>& items() noexcept { return items_; }
  Ttlv& add(Ttlv child);
  // A copy of this item under another tag (KMIP reuses values: an attribute inside an
  // AttributeReference answer, a payload as "<Op>Response").
  [[nodiscard]] Ttlv withTag(std::string tag) const;

  // First child with that tag, or nullptr.
  [[nodiscard]] const Ttlv* find(std::string_view tag) const noexcept;
  Ttlv* find(std::string_view tag) noexcept;
  // First child with that tag; throws kms::Exception(MissingData) naming it when absent.
  [[nodiscard]] const Ttlv& at(std::string_view tag) const;
  [[nodiscard]] std::vector<const Ttlv*> findAll(std::string_view tag) const;
  // Removes every child with that tag; returns how many were removed.
  std::size_t removeAll(std::string_view tag);

  // Overwrites every byte and text value of this item and its children with zeros: for trees
  // that held clear key material (an unwrapped key block) once the key is built from them.
  void wipe() noexcept;

  bool operator==(const Ttlv& other) const = default;

 private:
  Ttlv(std::string tag, ItemType type) : tag_(std::move(tag)), type_(type) {}
  void expect(ItemType type) const;

  std::string tag_;
  ItemType type_ = ItemType::Structure;
  std::int64_t number_ = 0;
  std::string text_;
  Bytes bytes_;
  std::vector<Ttlv> items_;
};

}  // namespace kms::kmip
