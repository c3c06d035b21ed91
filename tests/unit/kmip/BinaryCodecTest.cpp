#include <doctest/doctest.h>

#include <string>

#include "TestSupport.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/Dictionary.hpp"

using namespace kms::kmip;
using kms::kmip::test::errorOf;
using Bytes = kms::kmip::Ttlv::Bytes;

namespace {

// "42 00 20 | 02 | ..." as bytes: the notation of the specification's examples.
Bytes bytesOf(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char c : text) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) continue;
    if (high < 0) {
      high = d;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | d));
      high = -1;
    }
  }
  return out;
}

Ttlv decode(const Bytes& bytes, const DecodeLimits& limits = {}) {
  return BinaryCodec::decode(bytes, limits);
}

std::string decodeError(const Bytes& bytes, const DecodeLimits& limits = {}) {
  return errorOf([&] { (void)BinaryCodec::decode(bytes, limits); });
}

bool contains(const std::string& message, std::string_view part) {
  return message.find(part) != std::string::npos;
}

}  // namespace

// KMIP 1.4 section 9.1.2 gives one encoding per type for a Protocol Object tagged 420020
// (KMIP 2.1 §10.1 keeps the format and drops the examples).
TEST_CASE("Binary: the specification's examples") {
  const std::string tag(Dictionary::tagName(0x420020).value());
  struct Example {
    Ttlv item;
    Bytes bytes;
  };
  const Example examples[] = {
      {Ttlv::integer(tag, 8), bytesOf("42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00")},
      {Ttlv::longInteger(tag, 123456789000000000), bytesOf("42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00")},
      {Ttlv::bigInteger(tag, bytesOf("00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00")),
       bytesOf("42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00")},
      {Ttlv::enumeration(tag, 255), bytesOf("42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00")},
      {Ttlv::boolean(tag, true), bytesOf("42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01")},
      {Ttlv::textString(tag, "Hello World"),
       bytesOf("42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00")},
      {Ttlv::byteString(tag, {1, 2, 3}), bytesOf("42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00")},
      {Ttlv::dateTime(tag, 1'205'495'800),  // 2008-03-14T11:56:40Z
       bytesOf("42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8")},
      {Ttlv::interval(tag, 10 * 86'400), bytesOf("42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00")},
      {Ttlv::structure(tag, {Ttlv::enumeration(std::string(Dictionary::tagName(0x420004).value()), 254),
                             Ttlv::integer(std::string(Dictionary::tagName(0x420005).value()), 255)}),
       bytesOf("42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 |"
               " 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00")},
  };
  for (const Example& e : examples) {
    CAPTURE(itemTypeName(e.item.type()));
    CHECK(BinaryCodec::encode(e.item) == e.bytes);
    CHECK(decode(e.bytes) == e.item);
  }
  // The Big Integer as a minimal two's complement is sign-extended to 16 bytes.
  CHECK(BinaryCodec::encode(Ttlv::bigInteger(tag, bytesOf("03 FD 35 EB 6B C2 DF 46 18 08 00 00"))) ==
        examples[2].bytes);
}

TEST_CASE("Binary: types without a specification example") {
  CHECK(BinaryCodec::encode(Ttlv::dateTimeExtended("LastChangeDate", 0x0102030405060708)) ==
        bytesOf("42 00 48 | 0B | 00 00 00 08 | 01 02 03 04 05 06 07 08"));
  CHECK(BinaryCodec::encode(Ttlv::bigInteger("P", {0x80, 0x01})) ==
        bytesOf("42 00 5E | 04 | 00 00 00 08 | FF FF FF FF FF FF 80 01"));
  CHECK(BinaryCodec::encode(Ttlv::bigInteger("P", {})) == bytesOf("42 00 5E | 04 | 00 00 00 00"));
  CHECK(BinaryCodec::encode(Ttlv::integer("BatchCount", -1)) ==
        bytesOf("42 00 0D | 02 | 00 00 00 04 | FF FF FF FF 00 00 00 00"));
  CHECK(BinaryCodec::encode(Ttlv::textString("Name", "")) == bytesOf("42 00 53 | 07 | 00 00 00 00"));
  CHECK(BinaryCodec::encode(Ttlv::byteString("Data", Bytes(8, 0xAA))) ==
        bytesOf("42 00 C2 | 08 | 00 00 00 08 | AA AA AA AA AA AA AA AA"));
  CHECK(BinaryCodec::encode(Ttlv::structure("Attributes")) == bytesOf("42 01 25 | 01 | 00 00 00 00"));
  CHECK(BinaryCodec::encode(Ttlv::integer("0x54ffff", 1)) ==
        bytesOf("54 FF FF | 02 | 00 00 00 04 | 00 00 00 01 00 00 00 00"));
}

TEST_CASE("Binary: every type round trips") {
  for (const Ttlv& t : {test::everyType(), test::encryptRequest()}) {
    const Bytes bytes = BinaryCodec::encode(t);
    CHECK(bytes.size() % 8 == 0);
    CHECK(decode(bytes) == t);
  }
}

TEST_CASE("Binary: tags") {
  CHECK(decode(bytesOf("42 00 94 | 07 | 00 00 00 01 | 61 00 00 00 00 00 00 00")) ==
        Ttlv::textString("UniqueIdentifier", "a"));
  CHECK(decode(bytesOf("54 FF FF | 07 | 00 00 00 01 | 61 00 00 00 00 00 00 00")).tag() == "0x54FFFF");
  CHECK(contains(errorOf([] { (void)BinaryCodec::encode(Ttlv::integer("Foo", 1)); }), "unknown tag 'Foo'"));
  CHECK(contains(errorOf([] { (void)BinaryCodec::encode(Ttlv::integer("0x54FF", 1)); }), "unknown tag"));
  CHECK(contains(
      errorOf([] { (void)BinaryCodec::encode(Ttlv::structure("Attributes", {Ttlv::integer("0xZZZZZZ", 1)})); }),
      "unknown tag '0xZZZZZZ'"));
}

TEST_CASE("Binary: padding bytes are not checked") {
  // Their content carries no meaning, and some clients leave garbage there.
  CHECK(decode(bytesOf("42 00 0D | 02 | 00 00 00 04 | 00 00 00 08 FF FF FF FF")).asInteger() == 8);
  CHECK(decode(bytesOf("42 00 53 | 07 | 00 00 00 01 | 61 01 02 03 04 05 06 07")).asText() == "a");
}

TEST_CASE("Binary: every error path is InvalidMessage with the offset") {
  struct Case {
    Bytes bytes;
    std::string expected;
  };
  const Case cases[] = {
      {{}, "offset 0: truncated item header"},
      {bytesOf("42 00 0D 02 00 00 00"), "offset 0: truncated item header"},
      {bytesOf("42 00 0D | 02 | 00 00 00 04 | 00 00 00 08"), "offset 0 (BatchCount): length 4 overruns"},
      {bytesOf("42 00 53 | 07 | FF FF FF FF | 61 00 00 00 00 00 00 00"), "overruns"},
      {bytesOf("42 00 0D | 02 | 00 00 00 08 | 00 00 00 00 00 00 00 08"), "Integer length must be 4, not 8"},
      {bytesOf("42 00 0D | 05 | 00 00 00 00"), "Enumeration length must be 4, not 0"},
      {bytesOf("42 00 58 | 0A | 00 00 00 03 | 00 00 00 00 00 00 00 00"), "Interval length must be 4"},
      {bytesOf("42 00 97 | 03 | 00 00 00 04 | 00 00 00 00 00 00 00 00"), "LongInteger length must be 8"},
      {bytesOf("42 00 01 | 09 | 00 00 00 10 | 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
       "DateTime length must be 8"},
      {bytesOf("42 00 48 | 0B | 00 00 00 04 | 00 00 00 00 00 00 00 00"), "DateTimeExtended length must be 8"},
      {bytesOf("42 01 20 | 06 | 00 00 00 04 | 00 00 00 01 00 00 00 00"), "Boolean length must be 8"},
      {bytesOf("42 01 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 02"), "(Sensitive): a Boolean must be 0 or 1"},
      {bytesOf("42 00 5E | 04 | 00 00 00 04 | 00 00 00 01 00 00 00 00"), "BigInteger length is not a multiple of 8"},
      {bytesOf("42 00 0D | 00 | 00 00 00 04 | 00 00 00 08 00 00 00 00"), "unknown item type 0x00"},
      {bytesOf("42 00 0D | 0C | 00 00 00 04 | 00 00 00 08 00 00 00 00"), "unknown item type 0x0C"},
      {bytesOf("42 00 53 | 07 | 00 00 00 02 | C3 28 00 00 00 00 00 00"), "TextString is not UTF-8"},
      // A Structure whose length stops inside its child, or is not a multiple of 8.
      {bytesOf("42 01 25 | 01 | 00 00 00 08 | 42 00 0D | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00"),
       "offset 8 (BatchCount): length 4 overruns"},
      {bytesOf("42 01 25 | 01 | 00 00 00 04 | 00 00 00 00 00 00 00 00"), "Structure length is not a multiple of 8"},
      {bytesOf("42 01 25 | 01 | 00 00 00 18 | 42 00 0D | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00"), "overruns"},
      {bytesOf("42 01 25 | 01 | 00 00 00 10 | 42 00 0D | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00 | 00 00 00 00 00 "
               "00 00 00"),
       "8 trailing bytes after the top item"},
      {bytesOf("42 00 0D | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00 | 42"), "offset 16: 1 trailing bytes"},
  };
  for (const Case& c : cases) {
    const std::string message = decodeError(c.bytes);
    CHECK_MESSAGE(contains(message, c.expected), c.expected, " -> ", message);
  }
}

TEST_CASE("Binary: limits") {
  SUBCASE("nesting, including hostile depth") {
    const auto nested = [](std::size_t depth) {
      Bytes out;
      for (std::size_t i = 0; i < depth; ++i) {
        const auto length = static_cast<std::uint32_t>((depth - i - 1) * 8);
        const Bytes header = {0x42,
                              0x01,
                              0x25,
                              0x01,
                              static_cast<std::uint8_t>(length >> 24),
                              static_cast<std::uint8_t>(length >> 16),
                              static_cast<std::uint8_t>(length >> 8),
                              static_cast<std::uint8_t>(length)};
        out.insert(out.end(), header.begin(), header.end());
      }
      return out;
    };
    CHECK_NOTHROW(decode(nested(64)));
    CHECK(contains(decodeError(nested(65)), "offset 512 (Attributes): nesting deeper than 64"));
    CHECK(contains(decodeError(nested(500'000)), "nesting deeper than 64"));
    DecodeLimits shallow;
    shallow.maxDepth = 1;
    CHECK_NOTHROW(decode(nested(1), shallow));
    CHECK(contains(decodeError(nested(2), shallow), "nesting deeper than 1"));
  }
  SUBCASE("items") {
    DecodeLimits few;
    few.maxItems = 2;
    const Bytes one = BinaryCodec::encode(Ttlv::structure("Attributes", {Ttlv::integer("BatchCount", 1)}));
    const Bytes two = BinaryCodec::encode(
        Ttlv::structure("Attributes", {Ttlv::integer("BatchCount", 1), Ttlv::integer("BatchCount", 2)}));
    CHECK_NOTHROW(decode(one, few));
    CHECK(contains(decodeError(two, few), "offset 24: more than 2 items"));
  }
  SUBCASE("value size") {
    DecodeLimits small;
    small.maxValueBytes = 8;
    CHECK_NOTHROW(decode(BinaryCodec::encode(Ttlv::byteString("Data", Bytes(8))), small));
    CHECK(contains(decodeError(BinaryCodec::encode(Ttlv::byteString("Data", Bytes(9))), small),
                   "value of 9 bytes exceeds the limit of 8"));
    CHECK(contains(decodeError(BinaryCodec::encode(Ttlv::textString("Name", std::string(9, 'a'))), small), "exceeds"));
    CHECK(contains(decodeError(BinaryCodec::encode(Ttlv::bigInteger("P", Bytes(16, 1))), small), "exceeds"));
  }
}
