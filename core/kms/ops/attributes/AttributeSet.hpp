#pragma once
// Typed access to a KMIP 2.1 "Attributes" structure. Single-valued attributes are replaced
// in place; multi-valued ones (Name, Link, vendor attributes) are appended.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::attributes {

class AttributeSet {
 public:
  explicit AttributeSet(kmip::Ttlv& attributes) : attributes_(attributes) {}

  [[nodiscard]] std::optional<kmip::State> state() const;
  void setState(kmip::State state);
  [[nodiscard]] std::optional<kmip::CryptographicAlgorithm> algorithm() const;
  [[nodiscard]] std::optional<std::int32_t> length() const;
  [[nodiscard]] std::optional<std::uint32_t> usageMask() const;
  [[nodiscard]] std::vector<std::string> names() const;
  // Dates in seconds since the epoch (KMIP DateTime).
  [[nodiscard]] std::optional<std::int64_t> date(std::string_view tag) const;
  void setDate(std::string_view tag, std::int64_t epochSeconds);

  // Vendor attributes: KMIP 2.1 `Attribute {VendorIdentification, AttributeName,
  // AttributeValue}` entries, also accepted in Cosmian's `VendorAttributes/VendorAttribute`
  // form. `vendors` lists the identifications that count (e.g. {"cosmian", "kmsd"}).
  [[nodiscard]] const kmip::Ttlv* vendorAttribute(const std::vector<std::string>& vendors, std::string_view name) const;
  void setVendorAttribute(const std::string& vendor, const std::string& name, const kmip::Ttlv& value);
  // Removes every `name` vendor attribute of these vendors, whatever its form.
  void removeVendorAttribute(const std::vector<std::string>& vendors, std::string_view name);
  // Tags as Cosmian clients send them: vendor attribute "tag" whose value holds a JSON array.
  [[nodiscard]] std::vector<std::string> tags(const std::vector<std::string>& vendors) const;

  // Replaces every item with this tag by `value`, or appends it.
  void set(kmip::Ttlv value);
  [[nodiscard]] const kmip::Ttlv* get(std::string_view tag) const { return attributes_.find(tag); }

 private:
  kmip::Ttlv& attributes_;
};

}  // namespace kms::ops::attributes
