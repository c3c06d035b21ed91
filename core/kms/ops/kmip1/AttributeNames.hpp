#pragma once
// KMIP 1.x names of attributes ("Cryptographic Algorithm", "x-ID") and the 1.x Attribute
// structure {AttributeName, AttributeIndex, AttributeValue}, against kmsd's 2.1 model (a typed
// item per standard attribute, Attribute{VendorIdentification, AttributeName, AttributeValue}
// per vendor attribute). Custom attributes: "x-N" / "y-N" are vendor "x" / "y" with name N (the
// form the 2.1 profile vectors use for the 1.4 ones); another vendor V is shown to 1.x clients
// as the server-defined "y-V:N", which maps back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"

namespace kms::ops::kmip1 {

// The attribute a 1.x name designates; nullopt for a name with no 2.1 counterpart (1.x-only
// attributes such as "Operation Policy Name", or nothing at all).
[[nodiscard]] std::optional<attributes::AttributeKey> keyOfName(std::string_view name);
// The 1.`minor` name of an attribute; nullopt for a 2.x-only attribute, which 1.x clients never
// see, or one a later 1.x version brought.
[[nodiscard]] std::optional<std::string> nameOf(const attributes::AttributeKey& key, std::int32_t minor = 4);
// 1.x Attribute structure -> the 2.1 attribute item. Throws InvalidField for a name with no 2.1
// counterpart or a missing AttributeValue.
[[nodiscard]] kmip::Ttlv toItem(const kmip::Ttlv& attribute);
// 2.1 attribute item -> 1.x Attribute structure (AttributeIndex when > 0: 1.x lets index 0 be
// omitted); nullopt for an attribute version 1.`minor` has no name for.
[[nodiscard]] std::optional<kmip::Ttlv> toAttribute(const kmip::Ttlv& item, std::int32_t index, std::int32_t minor = 4);
// The 2.1 AttributeReference for a 1.x name, nullopt when it names nothing kmsd keeps.
[[nodiscard]] std::optional<kmip::Ttlv> referenceOf(std::string_view name);

}  // namespace kms::ops::kmip1
