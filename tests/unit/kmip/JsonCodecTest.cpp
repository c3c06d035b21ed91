#include <doctest/doctest.h>

#include <string>

#include "TestSupport.hpp"
#include "kms/kmip/JsonCodec.hpp"

using namespace kms::kmip;
using kms::kmip::test::errorOf;

namespace {

// {"tag":tag,"type":type,"value":value} with `value` given as raw JSON.
std::string node(std::string_view tag, std::string_view type, std::string_view value) {
  return std::string(R"({"tag":")") + std::string(tag) + R"(","type":")" + std::string(type) + R"(","value":)" +
         std::string(value) + "}";
}

Ttlv decode(std::string_view json, const DecodeLimits& limits = {}) {
  return JsonCodec::decode(json, limits);
}

std::string decodeError(std::string_view json, const DecodeLimits& limits = {}) {
  return errorOf([&] { (void)JsonCodec::decode(json, limits); });
}

// The JSON "value" text of a single encoded item.
std::string encodedValue(const Ttlv& t) {
  const std::string json = JsonCodec::encode(t);
  const auto at = json.find(R"("value":)");
  REQUIRE(at != std::string::npos);
  return json.substr(at + 8, json.size() - at - 9);
}

// `depth` Structures nested in one another.
std::string nested(std::size_t depth) {
  std::string json;
  for (std::size_t i = 0; i < depth; ++i) json += R"({"tag":"Attributes","value":[)";
  for (std::size_t i = 0; i < depth; ++i) json += "]}";
  return json;
}

}  // namespace

TEST_CASE("JSON: every type round trips") {
  const Ttlv original = test::everyType();
  const std::string json = JsonCodec::encode(original);
  CHECK(decode(json) == original);
  CHECK(JsonCodec::encode(decode(json)) == json);
  const Ttlv request = test::encryptRequest();
  CHECK(decode(JsonCodec::encode(request)) == request);
}

TEST_CASE("JSON: encoded forms") {
  CHECK(JsonCodec::encode(Ttlv::enumeration("ObjectType", 2)) ==
        R"({"tag":"ObjectType","type":"Enumeration","value":"SymmetricKey"})");
  CHECK(
      JsonCodec::encode(Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 2)})) ==
      R"({"tag":"ProtocolVersion","type":"Structure","value":[{"tag":"ProtocolVersionMajor","type":"Integer","value":2}]})");
  CHECK(encodedValue(Ttlv::integer("CryptographicLength", -256)) == "-256");
  CHECK(encodedValue(Ttlv::integer("CryptographicUsageMask", 0x0C)) == R"("Encrypt|Decrypt")");
  CHECK(encodedValue(Ttlv::integer("CryptographicUsageMask", 0x01000004)) == "16777220");  // bit 24 is unassigned
  CHECK(encodedValue(Ttlv::integer("CryptographicUsageMask", 0)) == "0");
  CHECK(encodedValue(Ttlv::integer("CryptographicUsageMask", INT32_MIN)) == "2147483648");
  CHECK(encodedValue(Ttlv::longInteger("UsageLimitsTotal", -2)) == R"("0xFFFFFFFFFFFFFFFE")");
  CHECK(encodedValue(Ttlv::bigInteger("P", {0x01, 0xAB})) == R"("0x01AB")");
  CHECK(encodedValue(Ttlv::enumeration("State", 0x80000001)) == R"("0x80000001")");
  CHECK(encodedValue(Ttlv::enumeration("AttributeReference", 0x42008D)) == R"("State")");
  CHECK(encodedValue(Ttlv::boolean("Sensitive", true)) == "true");
  CHECK(encodedValue(Ttlv::byteString("Data", {0x0A, 0xBC})) == R"("0ABC")");
  CHECK(encodedValue(Ttlv::dateTime("ActivationDate", 978'307'200)) == R"("2001-01-01T00:00:00Z")");
  CHECK(encodedValue(Ttlv::dateTime("ActivationDate", 1LL << 50)) == R"("0x0004000000000000")");
  CHECK(encodedValue(Ttlv::dateTimeExtended("LastChangeDate", 978'307'200'000'001)) ==
        R"("2001-01-01T00:00:00.000001Z")");
  CHECK(encodedValue(Ttlv::interval("Offset", 0xFFFFFFFF)) == "4294967295");
  CHECK(encodedValue(Ttlv::textString("Name", "a\"\\\n\t\x01/")) == R"("a\"\\\n\t\u0001/")");
  CHECK(encodedValue(Ttlv::textString("Name", "bad\xFFutf8")) == R"("bad\ufffdutf8")");
  CHECK(JsonCodec::encode(Ttlv::integer("0x54ffff", 1)) == R"({"tag":"0x54ffff","type":"Integer","value":1})");
}

TEST_CASE("JSON: the KMIP JSON encoding's examples (4.1.6)") {
  const Ttlv activation = Ttlv::dateTime("ActivationDate", 978'307'200);
  CHECK(decode(node("0x420001", "DateTime", R"("2001-01-01T10:00:00+10:00")")) == activation);
  CHECK(decode(node("ActivationDate", "DateTime", R"("2001-01-01T10:00:00+10:00")")) == activation);
  CHECK(decode(node("ArchiveDate", "DateTime", R"("0x000000003a505520")")).asDateTime() == 978'343'200);
  CHECK(decode(node("IVCounterNonce", "ByteString", R"("a1b2c3d4")")).asBytes() == Ttlv::Bytes{0xA1, 0xB2, 0xC3, 0xD4});
  CHECK(decode(node("PrivateKeyTemplateAttribute", "Structure", "[]")) ==
        Ttlv::structure("PrivateKeyTemplateAttribute"));
  CHECK(decode(node("0x545352", "TextString", R"("This is an extension")")) ==
        Ttlv::textString("0x545352", "This is an extension"));
  CHECK(decode(R"({"tag":"0x54FFFF","name":"SomeExtension","type":"Integer","value":"0x00000001"})") ==
        Ttlv::integer("0x54FFFF", 1));
  CHECK(decode(R"({"tag":"ProtocolVersion","value":[{"tag":"ProtocolVersionMajor","type":"Integer","value":1}]})") ==
        Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 1)}));
  CHECK(decode(node("BatchCount", "Integer", "10")).asInteger() == 10);
  CHECK(decode(node("BatchCount", "Integer", R"("0x0000000A")")).asInteger() == 10);
  for (const char* mask : {R"("0x0000100c")", R"("Encrypt|Decrypt|CertificateSign")",
                           R"("CertificateSign|0x00000004|0x0000008")", R"("CertificateSign|0x0000000c")"}) {
    CHECK_MESSAGE(decode(node("CryptographicUsageMask", "Integer", mask)).asInteger() == 0x100C, mask);
  }
  CHECK(decode(node("0x540001", "LongInteger", R"("0xfffffffffffffffe")")).asLongInteger() == -2);
  CHECK(decode(node("0x540001", "LongInteger", "-2")).asLongInteger() == -2);
  CHECK(decode(node("UsageLimitsCount", "LongInteger", R"("0x1000000000000000")")).asLongInteger() == 1LL << 60);
  CHECK(decode(node("X", "BigInteger", "0")).asBytes() == Ttlv::Bytes(8, 0));
  CHECK(decode(node("X", "BigInteger", R"("0x0000000000000000")")).asBytes() == Ttlv::Bytes(8, 0));
  for (const char* value : {"2", R"("0x00000002")", R"("SymmetricKey")"}) {
    CHECK(decode(node("0x420057", "Enumeration", value)) == Ttlv::enumeration("ObjectType", 2));
  }
  CHECK(decode(node("BatchOrderOption", "Boolean", "true")).asBoolean());
  CHECK(decode(node("BatchOrderOption", "Boolean", R"("0x0000000000000001")")).asBoolean());
  CHECK_FALSE(decode(node("BatchOrderOption", "Boolean", R"("0x0000000000000000")")).asBoolean());
  CHECK(decode(node("AttributeName", "TextString", R"("Cryptographic Algorithm")")).asText() ==
        "Cryptographic Algorithm");
  CHECK(decode(node("MACSignature", "ByteString", R"("C50F77")")).asBytes() == Ttlv::Bytes{0xC5, 0x0F, 0x77});
  CHECK(decode(node("Offset", "Interval", "27")).asInterval() == 27u);
  CHECK(decode(node("Offset", "Interval", R"("0x0000001b")")).asInterval() == 27u);
}

TEST_CASE("JSON: accepted variants") {
  SUBCASE("property order does not matter") {
    const Ttlv expected = Ttlv::structure("RequestPayload", {Ttlv::enumeration("ObjectType", 2)});
    CHECK(
        decode(
            R"({"value":[{"value":"SymmetricKey","type":"Enumeration","tag":"ObjectType"}],"tag":"RequestPayload"})") ==
        expected);
    CHECK(
        decode(
            R"( { "type" : "Structure" , "value" : [ { "tag" : "ObjectType" , "value" : 2 , "type" : "Enumeration" } ] , "tag" : "RequestPayload" } )") ==
        expected);
  }
  SUBCASE("structures: null value, missing value, type omitted") {
    CHECK(decode(R"({"tag":"Attributes","type":"Structure","value":null})") == Ttlv::structure("Attributes"));
    CHECK(decode(R"({"tag":"Attributes"})") == Ttlv::structure("Attributes"));
  }
  SUBCASE("mask separators") {
    for (const char* mask : {R"("Encrypt Decrypt")", R"("Encrypt | Decrypt")", R"("Decrypt|Encrypt")"}) {
      CHECK_MESSAGE(decode(node("CryptographicUsageMask", "Integer", mask)).asInteger() == 0x0C, mask);
    }
    CHECK(decode(node("CryptographicUsageMask", "Integer", "4294967295")).asInteger() == -1);
    CHECK(decode(node("StorageStatusMask", "Integer", R"("OnLineStorage|ArchivalStorage")")).asInteger() == 3);
  }
  SUBCASE("hex tags") {
    CHECK(decode(node("0x420094", "TextString", R"("x")")).tag() == "UniqueIdentifier");
    CHECK(decode(node("0x54ffff", "TextString", R"("x")")).tag() == "0x54FFFF");
  }
  SUBCASE("enumerations") {
    CHECK(decode(node("AttributeReference", "Enumeration", R"("State")")).asEnumeration() == 0x42008Du);
    CHECK(decode(node("State", "Enumeration", R"("0x80000001")")).asEnumeration() == 0x80000001u);
    CHECK(decode(node("State", "Enumeration", R"("0x5")")).asEnumeration() == 5u);
    CHECK(decode(node("0x54FFFF", "Enumeration", "4294967295")).asEnumeration() == 0xFFFFFFFFu);
  }
  SUBCASE("Cosmian's spellings of enumeration values (SHA256, PKCS8) are read, answered as KMIP spells them") {
    const Ttlv hash = decode(node("HashingAlgorithm", "Enumeration", R"("SHA256")"));
    CHECK(hash.asEnumeration() == 6u);
    CHECK(JsonCodec::encode(hash).find(R"("SHA_256")") != std::string::npos);
    CHECK(decode(node("KeyFormatType", "Enumeration", R"("PKCS8")")).asEnumeration() == 4u);
    CHECK(decodeError(node("HashingAlgorithm", "Enumeration", R"("SHA-2-256")")).find("unknown enumeration") !=
          std::string::npos);
  }
  SUBCASE("KMIP 1.x attribute values name the enumeration of their AttributeName") {
    const std::string json =
        R"({"tag":"Attribute","type":"Structure","value":[{"tag":"AttributeName","type":"TextString","value":"Cryptographic Algorithm"},)"
        R"({"tag":"AttributeValue","type":"Enumeration","value":"AES"}]})";
    const Ttlv t = decode(json);
    CHECK(t.at("AttributeValue").asEnumeration() == 3u);
    CHECK(JsonCodec::encode(t) == json);
    CHECK(
        decodeError(R"({"tag":"Attribute","value":[{"tag":"AttributeName","type":"TextString","value":"Object Type"},)"
                    R"({"tag":"AttributeValue","type":"Enumeration","value":"AES"}]})") ==
        "Attribute/AttributeValue: unknown enumeration value 'AES'");
    CHECK(decodeError(node("AttributeValue", "Enumeration", R"("AES")")).find("unknown enumeration") !=
          std::string::npos);
    // A name after the value does not count, on either side, so the two agree.
    const Ttlv reversed = Ttlv::structure("Attribute", {Ttlv::enumeration("AttributeValue", 3),
                                                        Ttlv::textString("AttributeName", "Cryptographic Algorithm")});
    CHECK(JsonCodec::encode(reversed).find(R"("0x00000003")") != std::string::npos);
    CHECK(decode(JsonCodec::encode(reversed)) == reversed);
  }
  SUBCASE("integers") {
    CHECK(decode(node("BatchCount", "Integer", "-2147483648")).asInteger() == INT32_MIN);
    CHECK(decode(node("BatchCount", "Integer", R"("0xffffffff")")).asInteger() == -1);
    CHECK(decode(node("UsageLimitsTotal", "LongInteger", "-9223372036854775808")).asLongInteger() == INT64_MIN);
    CHECK(decode(node("UsageLimitsTotal", "LongInteger", "9223372036854775807")).asLongInteger() == INT64_MAX);
    CHECK(decode(node("P", "BigInteger", "-1")).asBytes() == Ttlv::Bytes(8, 0xFF));
    CHECK(decode(node("P", "BigInteger", R"("0x")")).asBytes().empty());
    CHECK(decode(node("Offset", "Interval", "4294967295")).asInterval() == 0xFFFFFFFFu);
  }
  SUBCASE("dates") {
    CHECK(decode(node("ActivationDate", "DateTime", "978307200")).asDateTime() == 978'307'200);
    CHECK(decode(node("ActivationDate", "DateTime", R"("2001-01-01T00:00:00.999Z")")).asDateTime() == 978'307'200);
    CHECK(decode(node("ActivationDate", "DateTime", R"("2000-12-31T19:00:00-05:00")")).asDateTime() == 978'307'200);
    CHECK(
        decode(node("LastChangeDate", "DateTimeExtended", R"("2001-01-01T10:00:00.25+10:00")")).asDateTimeExtended() ==
        978'307'200'250'000);
    CHECK(decode(node("LastChangeDate", "DateTimeExtended", R"("0x0000000000000001")")).asDateTimeExtended() == 1);
    CHECK(decode(node("LastChangeDate", "DateTimeExtended", "-5")).asDateTimeExtended() == -5);
  }
  SUBCASE("strings") {
    CHECK(decode(node("Name", "TextString", R"("\u00e9\ud83d\udd11\/\"\\\b\f\n\r\t")")).asText() ==
          "\xC3\xA9\xF0\x9F\x94\x91/\"\\\b\f\n\r\t");
    CHECK(decode(node("Name", "TextString", "\"\xE2\x82\xAC\"")).asText() == "\xE2\x82\xAC");
    CHECK(decode(node("Data", "ByteString", R"("")")).asBytes().empty());
    CHECK(decode(node("Data", "ByteString", R"("aBcD")")).asBytes() == Ttlv::Bytes{0xAB, 0xCD});
  }
}

TEST_CASE("JSON: errors name the path") {
  const std::string request =
      R"({"tag":"RequestMessage","value":[{"tag":"RequestHeader","value":[]},)"
      R"({"tag":"BatchItem","value":[{"tag":"Operation","type":"Enumeration","value":"Create"}]},)"
      R"({"tag":"BatchItem","value":[{"tag":"Operation","type":"Enumeration","value":"Create"},)"
      R"({"tag":"RequestPayload","value":[{"tag":"ObjectType","type":"Enumeration","value":"Foo"}]}]}]})";
  CHECK(decodeError(request) ==
        "RequestMessage/BatchItem[1]/RequestPayload/ObjectType: unknown enumeration value 'Foo'");
  CHECK(
      decodeError(
          R"({"tag":"RequestMessage","value":[{"tag":"BatchItem","value":[{"tag":"RequestPayload","value":[{"tag":"ObjectType","type":"Enumeration","value":"Foo"}]}]}]})") ==
      "RequestMessage/BatchItem[0]/RequestPayload/ObjectType: unknown enumeration value 'Foo'");
  CHECK(
      decodeError(
          R"({"tag":"Attributes","value":[{"tag":"Name","type":"TextString","value":"a"},{"tag":"Name","type":"TextString","value":1}]})") ==
      "Attributes/Name[1]: a TextString value must be a string");
  CHECK(decodeError(R"({"tag":"Attributes","value":[{"type":"Integer","value":"x","tag":"BatchCount"}]})") ==
        "Attributes/BatchCount: invalid Integer 'x'");
  CHECK(decodeError(R"({"tag":"Attributes","value":[{"type":"Integer","value":1,"bogus":1}]})") ==
        "Attributes/?: unknown property 'bogus'");
  CHECK(decodeError(R"({"tag":"BatchCount","type":"Integer","value":1,"extra":2})") ==
        "BatchCount: unknown property 'extra'");
}

TEST_CASE("JSON: every error path is InvalidMessage") {
  struct Case {
    std::string json;
    std::string expected;  // a part of the message
  };
  const Case cases[] = {
      {node("Data", "ByteString", R"("ABC")"), "invalid hex 'ABC'"},
      {node("Data", "ByteString", R"("GG")"), "invalid hex"},
      {node("Data", "ByteString", "12"), "must be a hex string"},
      {node("P", "BigInteger", R"("0x123")"), "invalid BigInteger"},
      {node("P", "BigInteger", R"("1234")"), "invalid BigInteger"},
      {node("BatchCount", "Int", "1"), "unknown type 'Int'"},
      {node("Foo", "Integer", "1"), "unknown tag 'Foo'"},
      {node("0x4200", "Integer", "1"), "a hex tag has 6 digits"},
      {node("0x42000G", "Integer", "1"), "bad tag"},
      {node("BatchCount", "Integer", "2147483648"), "Integer out of range"},
      {node("BatchCount", "Integer", "-2147483649"), "Integer out of range"},
      {node("BatchCount", "Integer", "99999999999999999999999"), "Integer out of range"},
      {node("BatchCount", "Integer", "1.5"), "must be an integer"},
      {node("BatchCount", "Integer", "1e3"), "must be an integer"},
      {node("BatchCount", "Integer", R"("0x100000000")"), "invalid Integer"},
      {node("BatchCount", "Integer", R"("Encrypt")"), "invalid Integer"},
      {node("CryptographicUsageMask", "Integer", R"("Encrypt|Fly")"), "unknown mask value 'Fly'"},
      {node("CryptographicUsageMask", "Integer", R"("|")"), "empty mask"},
      {node("CryptographicUsageMask", "Integer", "4294967296"), "out of range"},
      {node("UsageLimitsTotal", "LongInteger", "9223372036854775808"), "LongInteger out of range"},
      {node("UsageLimitsTotal", "LongInteger", R"("0x10000000000000000")"), "invalid LongInteger"},
      {node("ObjectType", "Enumeration", R"("Foo")"), "ObjectType: unknown enumeration value 'Foo'"},
      {node("ObjectType", "Enumeration", "4294967296"), "Enumeration out of range"},
      {node("ObjectType", "Enumeration", "-1"), "Enumeration out of range"},
      {node("ObjectType", "Enumeration", R"("0x")"), "invalid Enumeration"},
      {node("AttributeReference", "Enumeration", R"("NoSuchTag")"), "unknown enumeration value"},
      {node("Offset", "Interval", "-1"), "Interval out of range"},
      {node("Offset", "Interval", "4294967296"), "Interval out of range"},
      {node("Sensitive", "Boolean", "1"), "must be true or false"},
      {node("Sensitive", "Boolean", R"("0x0000000000000002")"), "must be 0 or 1"},
      {node("Sensitive", "Boolean", R"("true")"), "invalid Boolean"},
      {node("ActivationDate", "DateTime", R"("2001-02-30T00:00:00Z")"), "invalid DateTime"},
      {node("ActivationDate", "DateTime", R"("yesterday")"), "invalid DateTime"},
      {node("ActivationDate", "DateTime", "1.5"), "must be an integer"},
      {node("LastChangeDate", "DateTimeExtended", R"("2001-01-01")"), "invalid DateTimeExtended"},
      {node("Name", "TextString", "null"), "must be a string"},
      {node("Attributes", "Structure", "{}"), "must be an array"},
      {node("Attributes", "Structure", "true"), "must be an array"},
      {node("BatchCount", "Integer", "[]"), "BatchCount: a Integer value cannot be an array"},
      {R"({"value":[],"type":"Integer","tag":"BatchCount"})", "BatchCount: a Integer value cannot be an array"},
      {node("Attributes", "Structure", "[1]"), "invalid JSON"},
      {R"({"type":"Integer","value":1})", "missing \"tag\""},
      {R"({"tag":"BatchCount","type":"Integer"})", "missing \"value\""},
      {R"({"tag":"BatchCount","tag":"BatchCount","type":"Integer","value":1})", "duplicate \"tag\""},
      {R"({"tag":"BatchCount","type":"Integer","type":"Integer","value":1})", "duplicate \"type\""},
      {R"({"tag":"BatchCount","type":"Integer","value":1,"value":1})", "duplicate \"value\""},
      {R"({"value":1,"value":2,"tag":"BatchCount","type":"Integer"})", "duplicate \"value\""},
      {"", "empty document"},
      {"   ", "empty document"},
      {"[]", "expected '{'"},
      {R"({"tag":"Attributes"} x)", "trailing characters"},
      {R"({"tag":"Attributes"}{})", "trailing characters"},
      {R"({"tag":"Attributes")", "input ended"},
      {R"({"tag":"Attributes","value":[)", "invalid JSON"},
      {R"({"tag":"Attri)", "unterminated string"},
      {R"({"tag":"Attributes",})", "invalid JSON"},
      {R"({tag:"Attributes"})", "invalid JSON"},
      {node("Name", "TextString", R"("\x")"), "bad escape"},
      {node("Name", "TextString", R"("\u12")"), "\\u escape"},
      {node("Name", "TextString", R"("\ud800")"), "lone surrogate"},
      {node("Name", "TextString", R"("\udc00")"), "lone surrogate"},
      {node("Name", "TextString", "\"a\x01\""), "control character"},
      {node("Name", "TextString", "\"\xC0\xAF\""), "invalid UTF-8"},
      {R"({"value":[1,2,{"a":[}],"tag":"Attributes"})", "invalid JSON"},
      {R"({"value":tru,"tag":"Attributes"})", "bad literal"},
      {R"({"value":01,"tag":"Attributes"})", "leading zero"},
      {R"({"value":-,"tag":"Attributes"})", "bad number"},
  };
  for (const Case& c : cases) {
    const std::string message = decodeError(c.json);
    CHECK_MESSAGE(message.find(c.expected) != std::string::npos, c.json, " -> ", message);
  }
}

TEST_CASE("JSON: limits") {
  SUBCASE("nesting") {
    CHECK_NOTHROW(decode(nested(64)));
    std::string path = "Attributes";
    for (int i = 1; i < 65; ++i) path += "/Attributes";
    CHECK(decodeError(nested(65)) == path + ": nesting deeper than 64");
    DecodeLimits shallow;
    shallow.maxDepth = 2;
    CHECK_NOTHROW(decode(nested(2), shallow));
    CHECK(decodeError(nested(3), shallow).find("nesting deeper than 2") != std::string::npos);
  }
  SUBCASE("value before tag: one pass whatever the depth") {
    std::string json;
    for (int i = 0; i < 64; ++i) json += R"({"value":[)";
    json += node("Data", "ByteString", "\"" + std::string(2'000'000, 'A') + "\"");
    for (int i = 0; i < 64; ++i) json += R"(],"tag":"Attributes"})";
    const Ttlv t = decode(json);
    CHECK(t.tag() == "Attributes");
  }
  SUBCASE("hostile nesting never reaches the stack") {
    // A million unclosed brackets, in a structure and in a value skipped for later.
    const std::string deep = nested(1'000'000);
    CHECK(decodeError(deep).find("nesting deeper than 64") != std::string::npos);
    const std::string brackets =
        R"({"value":)" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + R"(,"tag":"Attributes"})";
    CHECK(decodeError(brackets).find("invalid JSON") != std::string::npos);
    CHECK(decodeError(R"({"value":)" + std::string(1'000'000, '[')).find("invalid JSON") != std::string::npos);
  }
  SUBCASE("items") {
    DecodeLimits few;
    few.maxItems = 3;
    const std::string three =
        R"({"tag":"Attributes","value":[{"tag":"Name","type":"TextString","value":"a"},{"tag":"Name","type":"TextString","value":"b"}]})";
    CHECK_NOTHROW(decode(three, few));
    const std::string four =
        R"({"tag":"Attributes","value":[{"tag":"Name","type":"TextString","value":"a"},{"tag":"Name","type":"TextString","value":"b"},{"tag":"Name","type":"TextString","value":"c"}]})";
    CHECK(decodeError(four, few) == "Attributes: more than 3 items");
  }
  SUBCASE("value size") {
    DecodeLimits small;
    small.maxValueBytes = 4;
    CHECK_NOTHROW(decode(node("Name", "TextString", R"("abcd")"), small));
    CHECK(decodeError(node("Name", "TextString", R"("abcde")"), small) ==
          "Name: value of 5 bytes exceeds the limit of 4");
    CHECK_NOTHROW(decode(node("Data", "ByteString", R"("00112233")"), small));
    CHECK(decodeError(node("Data", "ByteString", R"("0011223344")"), small).find("exceeds the limit") !=
          std::string::npos);
    CHECK(decodeError(node("P", "BigInteger", R"("0x0011223344")"), small).find("exceeds the limit") !=
          std::string::npos);
  }
  SUBCASE("long values are not echoed whole") {
    const std::string message = decodeError(node("ObjectType", "Enumeration", "\"" + std::string(10'000, 'x') + "\""));
    CHECK(message.size() < 200);
  }
}
