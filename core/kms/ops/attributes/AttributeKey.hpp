#pragma once
// Which attribute an item is (a standard tag or a vendor attribute), how an AttributeReference
// names one, and what a client may do with it (a view of the AttributeRules table, KMIP 2.1
// section 4). The attribute handlers and the key handlers share them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::attributes {

// What a client may do with an attribute (KMIP 2.1 section 4, "Modifiable by client",
// "Deletable by client", "Multiple instances permitted"): a view of the AttributeRules table.
struct AttributeRule {
  bool known = false;       // a KMIP 2.1 attribute kmsd recognises
  bool modifiable = false;  // Add/Set/Modify allowed for a client
  bool deletable = false;   // Delete allowed for a client
  bool multiple = false;    // several instances permitted
};
[[nodiscard]] AttributeRule attributeRule(std::string_view tag);

// Identity of one attribute instance: a standard attribute (by tag) or a vendor attribute.
struct AttributeKey {
  std::string tag;     // "Name", "State", ... or "Attribute" for vendor attributes
  std::string vendor;  // vendor attributes only
  std::string name;    // vendor attributes only
  [[nodiscard]] bool isVendor() const noexcept { return tag == "Attribute"; }
  [[nodiscard]] std::string display() const;
};

// True for `Attribute`, `VendorAttribute` entries holding VendorIdentification+AttributeName.
[[nodiscard]] bool isVendorEntry(const kmip::Ttlv& item);
// The key of an attribute instance as it appears in an Attributes structure (or inside a
// New/Current Attribute).
[[nodiscard]] AttributeKey keyOf(const kmip::Ttlv& attribute);
// The key an AttributeReference designates: Enumeration (tag code) or structure
// {VendorIdentification, AttributeName}. A structure with an empty vendor identification and
// a standard attribute name ("Cryptographic Algorithm" or "CryptographicAlgorithm") designates
// the standard attribute. Throws InvalidField when it designates nothing kmsd knows.
[[nodiscard]] AttributeKey keyOfReference(const kmip::Ttlv& reference);
// The AttributeReference item for a key (inverse of keyOfReference).
[[nodiscard]] kmip::Ttlv referenceFor(const AttributeKey& key);
// Vendor identifications compare case-insensitively ("Cosmian" == "cosmian").
[[nodiscard]] bool sameVendor(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] bool keyMatches(const AttributeKey& a, const AttributeKey& b) noexcept;

// Turns Cosmian's `VendorAttributes` forms (a wrapper structure holding vendor entries, or
// `VendorAttribute` entries) into standard `Attribute` entries, and KMIP 1.x entries naming a
// standard attribute (`Attribute {AttributeName "Sensitive", AttributeValue}`, no vendor) into
// that attribute's own item, in place.
void normalizeVendorAttributes(kmip::Ttlv& attributes);
// The single attribute a New/Current Attribute structure holds (InvalidField otherwise),
// normalised: vendor entries are tagged "Attribute".
[[nodiscard]] kmip::Ttlv singleAttribute(const kmip::Ttlv& wrapper);

// Indices of the instances of `key` among the children of `attributes`.
[[nodiscard]] std::vector<std::size_t> instancesOf(const kmip::Ttlv& attributes, const AttributeKey& key);

}  // namespace kms::ops::attributes
