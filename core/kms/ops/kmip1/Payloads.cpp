#include "kms/ops/kmip1/Payloads.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "kms/Exception.hpp"
#include "kms/ops/kmip1/AttributeNames.hpp"

namespace kms::ops::kmip1 {

using kmip::Operation;
using kmip::Ttlv;

namespace {

// KMIP 1.x template structures and the 2.1 structure each became (2.0 section 1.2).
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kTemplates{{
    {"TemplateAttribute", "Attributes"},
    {"CommonTemplateAttribute", "CommonAttributes"},
    {"PrivateKeyTemplateAttribute", "PrivateKeyAttributes"},
    {"PublicKeyTemplateAttribute", "PublicKeyAttributes"},
}};

Ttlv attributesOf(const Ttlv& templateAttribute, std::string tag) {
  Ttlv out = Ttlv::structure(std::move(tag));
  for (const auto& item : templateAttribute.items()) {
    if (item.tag() == "Name") {
      throw Exception(ErrorCode::FeatureNotSupported,
                      "Template objects (a Name in a TemplateAttribute) are not supported");
    }
    if (item.tag() == "Attribute") out.add(toItem(item));
  }
  return out;
}

Ttlv translateTemplates(const Ttlv& payload) {
  Ttlv out = Ttlv::structure(payload.tag());
  for (const auto& item : payload.items()) {
    // By name: the dictionary names each code once (0x420065, which 2.1 retired as
    // "Reserved", is PrivateKeyTemplateAttribute), so binary and JSON items arrive alike.
    const auto* t = std::find_if(kTemplates.begin(), kTemplates.end(),
                                 [&](const auto& entry) { return entry.first == item.tag(); });
    out.add(t != kTemplates.end() && item.isStructure() ? attributesOf(item, std::string(t->second)) : item);
  }
  return out;
}

Ttlv locateToV2(const Ttlv& payload) {
  Ttlv out = Ttlv::structure(payload.tag());
  Ttlv attributes = Ttlv::structure("Attributes");
  bool any = false;
  for (const auto& item : payload.items()) {
    if (item.tag() == "Attribute" && item.find("VendorIdentification") == nullptr) {
      attributes.add(toItem(item));
      any = true;
    } else {
      out.add(item);
    }
  }
  if (any) out.add(std::move(attributes));
  return out;
}

Ttlv getAttributesToV2(const Ttlv& payload) {
  Ttlv out = Ttlv::structure(payload.tag());
  bool named = false;
  bool referenced = false;
  for (const auto& item : payload.items()) {
    if (item.tag() != "AttributeName" || item.type() != kmip::ItemType::TextString) {
      referenced = referenced || item.tag() == "AttributeReference";
      out.add(item);
      continue;
    }
    named = true;
    // A name kmsd keeps nothing under is simply absent from the answer, as in 1.x.
    if (auto reference = referenceOf(item.text())) {
      out.add(std::move(*reference));
      referenced = true;
    }
  }
  // Names given, none kept: ask for one attribute every object has, and responseToV1 drops it
  // (no reference at all would mean "every attribute").
  if (named && !referenced) out.add(attributes::referenceFor(attributes::AttributeKey{"UniqueIdentifier", {}, {}}));
  return out;
}

std::vector<attributes::AttributeKey> namedKeys(const Ttlv& request) {
  std::vector<attributes::AttributeKey> keys;
  for (const auto* name : request.findAll("AttributeName")) {
    if (name->type() != kmip::ItemType::TextString) continue;
    if (auto key = keyOfName(name->text())) keys.push_back(std::move(*key));
  }
  return keys;
}

Ttlv getAttributesToV1(const Ttlv& request, const Ttlv& response, std::int32_t minor) {
  Ttlv out = Ttlv::structure(response.tag());
  if (const auto* uid = response.find("UniqueIdentifier")) out.add(*uid);
  const auto* attributes = response.find("Attributes");
  if (attributes == nullptr) return out;
  const bool filter = !request.findAll("AttributeName").empty();
  const auto wanted = namedKeys(request);
  std::vector<std::pair<attributes::AttributeKey, std::int32_t>> seen;  // instances so far, per key
  for (const auto& item : attributes->items()) {
    const auto key = attributes::keyOf(item);
    std::int32_t index = 0;
    auto found = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return keyMatches(s.first, key); });
    if (found == seen.end()) {
      seen.emplace_back(key, 1);
    } else {
      index = found->second++;
    }
    if (filter && std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return keyMatches(w, key); })) {
      continue;
    }
    if (auto attribute = toAttribute(item, index, minor)) out.add(std::move(*attribute));
  }
  return out;
}

Ttlv getAttributeListToV1(const Ttlv& response, std::int32_t minor) {
  Ttlv out = Ttlv::structure(response.tag());
  for (const auto& item : response.items()) {
    if (item.tag() != "AttributeReference") {
      out.add(item);
      continue;
    }
    if (const auto name = nameOf(attributes::keyOfReference(item), minor)) {
      out.add(Ttlv::textString("AttributeName", *name));
    }
  }
  return out;
}

// What Query may answer in 1.`minor` (KMIP 1.0-1.4 section 4.25 and the Operation and Object
// Type enumerations of each version): 2.x items and enumerations a 1.x client cannot decode
// are left out.
bool queryItemIn(const Ttlv& item, std::int32_t minor) {
  const auto& tag = item.tag();
  if (tag == "Operation") {
    const std::uint32_t last = minor == 0 ? 0x1C : minor == 1 ? 0x1E : minor <= 3 ? 0x29 : 0x2B;
    return item.asEnumeration() <= last;
  }
  if (tag == "ObjectType") return item.asEnumeration() <= (minor < 2 ? 0x08U : 0x09U);
  if (tag == "VendorIdentification" || tag == "ServerInformation" || tag == "ApplicationNamespace") return true;
  if (tag == "ExtensionInformation") return minor >= 1;
  if (tag == "AttestationType") return minor >= 2;
  return minor >= 3 && (tag == "RNGParameters" || tag == "ProfileInformation" || tag == "ValidationInformation" ||
                        tag == "CapabilityInformation" || tag == "ClientRegistrationMethod");
}

Ttlv queryToV1(const Ttlv& response, std::int32_t minor) {
  Ttlv out = Ttlv::structure(response.tag());
  for (const auto& item : response.items()) {
    if (queryItemIn(item, minor)) out.add(item);
  }
  return out;
}

}  // namespace

Ttlv Payloads::requestToV2(Operation operation, const Ttlv& payload) {
  switch (operation) {
    case Operation::Locate:
      return locateToV2(payload);
    case Operation::GetAttributes:
      return getAttributesToV2(payload);
    default:
      return translateTemplates(payload);
  }
}

Ttlv Payloads::responseToV1(Operation operation, const Ttlv& request, const Ttlv& response, std::int32_t minor) {
  switch (operation) {
    case Operation::GetAttributes:
      return getAttributesToV1(request, response, minor);
    case Operation::GetAttributeList:
      return getAttributeListToV1(response, minor);
    case Operation::Query:
      return queryToV1(response, minor);
    default:
      return response;
  }
}

}  // namespace kms::ops::kmip1
