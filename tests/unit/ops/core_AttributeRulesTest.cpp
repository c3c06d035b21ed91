// The AttributeRules table (issue 22 finding 2): its invariants, type checks, the direction
// rules of Sensitive and Extractable and the server-maintained flags.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeRules.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"

using kms::ErrorCode;
using kms::kmip::ItemType;
using kms::kmip::Ttlv;
using kms::ops::attributes::AttributeRules;

namespace {

template <typename F>
ErrorCode codeOf(F&& f) {
  try {
    f();
  } catch (const kms::Exception& e) {
    return e.code();
  }
  return ErrorCode::GeneralFailure;  // "did not throw"
}

AttributeRules::Spec spec(std::string_view tag) {
  const auto found = AttributeRules::find(tag);
  REQUIRE(found.has_value());
  return *found;
}

}  // namespace

TEST_CASE("the attribute table: one row per attribute, server-only rows are never editable") {
  std::set<std::string_view> seen;
  for (const auto& row : AttributeRules::all()) {
    CHECK_MESSAGE(seen.insert(row.tag).second, row.tag);
    if (row.setter == AttributeRules::Setter::Server) {
      CHECK_MESSAGE(!row.modifiable, row.tag);
      CHECK_MESSAGE(!row.deletable, row.tag);
    }
    if (row.change == AttributeRules::Change::OnlyToTrue || row.change == AttributeRules::Change::OnlyToFalse) {
      CHECK_MESSAGE(row.type == ItemType::Boolean, row.tag);
      CHECK_MESSAGE(!row.deletable, row.tag);  // deleting would reset it to its default
    }
    // CoreSupport's view is the table.
    const auto rule = kms::ops::attributes::attributeRule(row.tag);
    CHECK(rule.known);
    CHECK(rule.modifiable == row.modifiable);
    CHECK(rule.deletable == row.deletable);
    CHECK(rule.multiple == row.multiple);
  }
  CHECK(!AttributeRules::find("NoSuchAttribute"));
  CHECK(!kms::ops::attributes::attributeRule("NoSuchAttribute").known);
}

TEST_CASE("Sensitive only tightens, Extractable only loosens its grip; the history flags are the server's") {
  const auto sensitive = spec("Sensitive");
  CHECK(sensitive.type == ItemType::Boolean);
  CHECK(sensitive.change == AttributeRules::Change::OnlyToTrue);
  CHECK(sensitive.modifiable);
  CHECK(!sensitive.deletable);
  const auto extractable = spec("Extractable");
  CHECK(extractable.change == AttributeRules::Change::OnlyToFalse);
  CHECK(!extractable.deletable);
  for (const auto tag : {"AlwaysSensitive", "NeverExtractable"}) {
    const auto row = spec(tag);
    CHECK(row.setter == AttributeRules::Setter::Server);
    CHECK(row.type == ItemType::Boolean);
  }

  const Ttlv yes = Ttlv::boolean("Sensitive", true);
  const Ttlv no = Ttlv::boolean("Sensitive", false);
  const Ttlv text = Ttlv::textString("Sensitive", "true");
  // Sensitive: false -> true and true -> true allowed, true -> false refused; absent is false;
  // a stored value of another type counts as true.
  CHECK(codeOf([&] { AttributeRules::checkChange(sensitive, &no, yes); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([&] { AttributeRules::checkChange(sensitive, &yes, yes); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([&] { AttributeRules::checkChange(sensitive, nullptr, no); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([&] { AttributeRules::checkChange(sensitive, &yes, no); }) == ErrorCode::AttributeReadOnly);
  CHECK(codeOf([&] { AttributeRules::checkChange(sensitive, &text, no); }) == ErrorCode::AttributeReadOnly);

  const Ttlv open = Ttlv::boolean("Extractable", true);
  const Ttlv shut = Ttlv::boolean("Extractable", false);
  // Extractable: true -> false allowed, false -> true refused; absent is true.
  CHECK(codeOf([&] { AttributeRules::checkChange(extractable, &open, shut); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([&] { AttributeRules::checkChange(extractable, nullptr, open); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([&] { AttributeRules::checkChange(extractable, &shut, open); }) == ErrorCode::AttributeReadOnly);
  const Ttlv zero = Ttlv::integer("Extractable", 0);
  CHECK(codeOf([&] { AttributeRules::checkChange(extractable, &zero, open); }) == ErrorCode::AttributeReadOnly);
}

TEST_CASE("values must have the type section 4 gives, dates the years 0000-9999") {
  CHECK(codeOf([] {
          AttributeRules::checkValue(Ttlv::bigInteger("Comment", {1, 2, 3, 4, 5, 6, 7, 8}));
        }) == ErrorCode::InvalidField);
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::textString("Sensitive", "false")); }) == ErrorCode::InvalidField);
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::integer("Extractable", 1)); }) == ErrorCode::InvalidField);
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::integer("Name", 1)); }) == ErrorCode::InvalidField);
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::textString("Comment", "fine")); }) == ErrorCode::GeneralFailure);
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::boolean("Sensitive", true)); }) == ErrorCode::GeneralFailure);
  // Unknown tags are the caller's business.
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::integer("NotAnAttribute", 1)); }) == ErrorCode::GeneralFailure);

  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  for (const std::int64_t bad : {kMax, kMin, std::int64_t{253'402'300'800}, std::int64_t{-62'167'219'201}}) {
    CHECK_MESSAGE(
        codeOf([&] { AttributeRules::checkValue(Ttlv::dateTime("ActivationDate", bad)); }) == ErrorCode::InvalidField,
        bad);
  }
  for (const std::int64_t good : {std::int64_t{0}, std::int64_t{253'402'300'799}, std::int64_t{-62'167'219'200}}) {
    CHECK_MESSAGE(codeOf([&] { AttributeRules::checkValue(Ttlv::dateTime("ActivationDate", good)); }) ==
                      ErrorCode::GeneralFailure,
                  good);
  }
  CHECK(codeOf([] { AttributeRules::checkValue(Ttlv::dateTimeExtended("ActivationDate", 0)); }) ==
        ErrorCode::InvalidField);
}

TEST_CASE("AlwaysSensitive and NeverExtractable follow the history of Sensitive and Extractable") {
  Ttlv attributes =
      Ttlv::structure("Attributes", {Ttlv::boolean("Sensitive", true), Ttlv::boolean("AlwaysSensitive", true),
                                     Ttlv::boolean("Extractable", false), Ttlv::boolean("NeverExtractable", true)});
  AttributeRules::maintainDerivedFlags(attributes);
  CHECK(attributes.at("AlwaysSensitive").asBoolean());
  CHECK(attributes.at("NeverExtractable").asBoolean());
  attributes.items()[0] = Ttlv::boolean("Sensitive", false);
  attributes.items()[2] = Ttlv::boolean("Extractable", true);
  AttributeRules::maintainDerivedFlags(attributes);
  CHECK(!attributes.at("AlwaysSensitive").asBoolean());
  CHECK(!attributes.at("NeverExtractable").asBoolean());
  // Once false, they stay false.
  attributes.items()[0] = Ttlv::boolean("Sensitive", true);
  attributes.items()[2] = Ttlv::boolean("Extractable", false);
  AttributeRules::maintainDerivedFlags(attributes);
  CHECK(!attributes.at("AlwaysSensitive").asBoolean());
  CHECK(!attributes.at("NeverExtractable").asBoolean());
}

TEST_CASE("the KMIP 1.x form of a standard attribute is that attribute") {
  const Ttlv legacy =
      Ttlv::structure("NewAttribute", {Ttlv::structure("Attribute", {Ttlv::textString("AttributeName", "Sensitive"),
                                                                     Ttlv::boolean("AttributeValue", false)})});
  const Ttlv single = kms::ops::attributes::singleAttribute(legacy);
  CHECK(single.tag() == "Sensitive");
  CHECK(single.type() == ItemType::Boolean);
  CHECK(!kms::ops::attributes::keyOf(single).isVendor());
  const Ttlv emptyVendor = Ttlv::structure(
      "Attribute", {Ttlv::textString("VendorIdentification", ""), Ttlv::textString("AttributeName", "Sensitive"),
                    Ttlv::textString("AttributeValue", "false")});
  CHECK(kms::ops::attributes::singleAttribute(emptyVendor).tag() == "Sensitive");
  // A vendor's own attribute of that name stays a vendor attribute.
  const Ttlv vendor = Ttlv::structure(
      "Attribute", {Ttlv::textString("VendorIdentification", "acme"), Ttlv::textString("AttributeName", "Sensitive"),
                    Ttlv::boolean("AttributeValue", false)});
  CHECK(kms::ops::attributes::keyOf(kms::ops::attributes::singleAttribute(vendor)).isVendor());
}
