#include <doctest/doctest.h>

#include "TestSupport.hpp"
#include "kms/kmip/Ttlv.hpp"

using namespace kms::kmip;
using kms::ErrorCode;
using kms::kmip::test::errorOf;

TEST_CASE("Ttlv: typed accessors") {
  CHECK(Ttlv::integer("BatchCount", -3).asInteger() == -3);
  CHECK(Ttlv::longInteger("UsageLimitsTotal", 1LL << 40).asLongInteger() == 1LL << 40);
  CHECK(Ttlv::enumeration("ObjectType", 2).asEnumeration() == 2u);
  CHECK(Ttlv::boolean("Sensitive", true).asBoolean());
  CHECK(Ttlv::textString("Name", "x").asText() == "x");
  CHECK(Ttlv::byteString("Data", {1, 2}).asBytes() == Ttlv::Bytes{1, 2});
  CHECK(Ttlv::bigInteger("P", {3}).asBytes() == Ttlv::Bytes{3});
  CHECK(Ttlv::dateTime("ActivationDate", 5).asDateTime() == 5);
  CHECK(Ttlv::interval("Offset", 7).asInterval() == 7u);
  CHECK(Ttlv::dateTimeExtended("LastChangeDate", 9).asDateTimeExtended() == 9);
}

TEST_CASE("Ttlv: wrong type is InvalidMessage naming the tag") {
  const Ttlv t = Ttlv::textString("UniqueIdentifier", "abc");
  const std::string message = errorOf([&] { (void)t.asInteger(); });
  CHECK(message.find("UniqueIdentifier") != std::string::npos);
  errorOf([&] { (void)t.asBytes(); });
  errorOf([&] { (void)Ttlv::integer("BatchCount", 1).asEnumeration(); });
}

TEST_CASE("Ttlv: children") {
  Ttlv s = Ttlv::structure("RequestPayload", {Ttlv::textString("UniqueIdentifier", "a"), Ttlv::integer("BatchCount", 1),
                                              Ttlv::textString("UniqueIdentifier", "b")});
  CHECK(s.at("BatchCount").asInteger() == 1);
  CHECK(s.find("UniqueIdentifier")->asText() == "a");
  CHECK(s.find("Nothing") == nullptr);
  CHECK(s.findAll("UniqueIdentifier").size() == 2);
  const std::string message = errorOf([&] { (void)s.at("ObjectType"); }, ErrorCode::MissingData);
  CHECK(message.find("ObjectType") != std::string::npos);
  CHECK(s.removeAll("UniqueIdentifier") == 2);
  CHECK(s.items().size() == 1);
  s.add(Ttlv::boolean("Sensitive", false));
  CHECK(s.items().back().tag() == "Sensitive");
}
