#pragma once
// The payload shapes KMIP 1.x and 2.1 disagree on, one operation at a time, as pure tree
// rewrites (no store, no transport): 1.x request payload -> 2.1, 2.1 response payload -> 1.x.
// Operations whose payloads are the same in both pass unchanged. Translator runs them.
#include <cstdint>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::kmip1 {

class Payloads {
 public:
  // TemplateAttribute and the key pair's Common/Private/PublicKeyTemplateAttribute -> Attributes
  // structures of typed items; Locate's Attribute list -> Attributes; GetAttributes' AttributeName
  // texts -> AttributeReference. A template reference (Name in a TemplateAttribute: 1.x Template
  // objects, removed in 2.0) is FeatureNotSupported. Payloads already in 2.1 form pass.
  [[nodiscard]] static kmip::Ttlv requestToV2(kmip::Operation operation, const kmip::Ttlv& payload);
  // GetAttributes: Attribute structures (only those the 1.x request named, in the 1.x form);
  // GetAttributeList: AttributeName texts; Query: what version 1.`minor` defines. 2.x-only
  // attributes are left out: a 1.x client has no name for them.
  [[nodiscard]] static kmip::Ttlv responseToV1(kmip::Operation operation, const kmip::Ttlv& request,
                                               const kmip::Ttlv& response, std::int32_t minor);
};

}  // namespace kms::ops::kmip1
