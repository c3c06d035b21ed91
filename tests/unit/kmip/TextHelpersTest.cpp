#include <doctest/doctest.h>

#include <string>

#include "kms/kmip/DateTimeText.hpp"
#include "kms/kmip/Hex.hpp"
#include "kms/kmip/Utf8.hpp"

using namespace kms::kmip;

namespace {

std::int64_t micros(std::string_view text) {
  std::int64_t v = 0;
  REQUIRE_MESSAGE(datetime::parseMicros(text, v), text);
  return v;
}

bool rejects(std::string_view text) {
  std::int64_t v = 0;
  return !datetime::parseMicros(text, v);
}

std::string seconds(std::int64_t s) {
  std::string out;
  if (!datetime::appendSeconds(out, s)) return "-";
  return out;
}

}  // namespace

TEST_CASE("DateTimeText: parse") {
  CHECK(micros("1970-01-01T00:00:00Z") == 0);
  CHECK(micros("2001-01-01T00:00:00Z") == 978'307'200'000'000);
  CHECK(micros("2001-01-01T10:00:00+10:00") == 978'307'200'000'000);  // KMIP JSON example
  CHECK(micros("2000-12-31T14:30:00-09:30") == 978'307'200'000'000);
  CHECK(micros("2001-01-01T00:00:00") == 978'307'200'000'000);  // no zone: UTC
  CHECK(micros("2008-03-14T11:56:40Z") == 1'205'495'800'000'000);
  CHECK(micros("2001-01-01t00:00:00.5z") == 978'307'200'500'000);
  CHECK(micros("2001-01-01T00:00:00.1234567899Z") == 978'307'200'123'456);  // truncated
  CHECK(micros("1969-12-31T23:59:59.5Z") == -500'000);
  CHECK(micros("2000-02-29T00:00:00Z") == 951'782'400'000'000);
  CHECK(micros("0000-01-01T00:00:00Z") == -62'167'219'200'000'000);
  CHECK(micros("9999-12-31T23:59:59Z") == 253'402'300'799'000'000);
  CHECK(micros("-0001-01-01T00:00:00Z") < micros("0000-01-01T00:00:00Z"));
  CHECK(datetime::floorSeconds(micros("1969-12-31T23:59:59.5Z")) == -1);
}

TEST_CASE("DateTimeText: rejects malformed text") {
  for (const char* bad : {"",
                          "2001",
                          "2001-01-01",
                          "2001-01-01 00:00:00Z",
                          "2001-1-01T00:00:00Z",
                          "2001-13-01T00:00:00Z",
                          "2001-00-01T00:00:00Z",
                          "2001-02-29T00:00:00Z",
                          "2001-04-31T00:00:00Z",
                          "2001-01-01T24:00:00Z",
                          "2001-01-01T00:60:00Z",
                          "2001-01-01T00:00:60Z",
                          "2001-01-01T00:00:00.Z",
                          "2001-01-01T00:00:00+1000",
                          "2001-01-01T00:00:00+24:00",
                          "2001-01-01T00:00:00ZZ",
                          "2001-01-01T00:00:00X",
                          "20011-01-01T00:00:00Z",
                          "2001-01-01T00:00:00+10:00 ",
                          "0x0000000000000001"}) {
    CHECK_MESSAGE(rejects(bad), bad);
  }
}

TEST_CASE("DateTimeText: format") {
  CHECK(seconds(0) == "1970-01-01T00:00:00Z");
  CHECK(seconds(978'307'200) == "2001-01-01T00:00:00Z");
  CHECK(seconds(-1) == "1969-12-31T23:59:59Z");
  CHECK(seconds(951'782'400 + 86'399) == "2000-02-29T23:59:59Z");
  CHECK(seconds(253'402'300'799) == "9999-12-31T23:59:59Z");
  CHECK(seconds(253'402'300'800) == "-");
  CHECK(seconds(-62'167'219'200) == "0000-01-01T00:00:00Z");
  CHECK(seconds(-62'167'219'201) == "-");
  std::string out;
  CHECK(datetime::appendMicros(out, -1));
  CHECK(out == "1969-12-31T23:59:59.999999Z");
  out.clear();
  CHECK(datetime::appendMicros(out, 978'307'200'000'042));
  CHECK(out == "2001-01-01T00:00:00.000042Z");
}

TEST_CASE("DateTimeText: every day of 1900-2100 round trips") {
  for (std::int64_t day = -25'567; day < 47'482; ++day) {
    std::string text;
    REQUIRE(datetime::appendSeconds(text, day * 86'400 + 45'296));
    std::int64_t back = 0;
    REQUIRE(datetime::parseMicros(text, back));
    REQUIRE(back == (day * 86'400 + 45'296) * 1'000'000);
  }
}

TEST_CASE("Hex helpers") {
  kms::SecureBytes bytes;
  CHECK(hex::decodeBytes("00aBfF", bytes));
  CHECK(bytes == std::vector<std::uint8_t>{0x00, 0xAB, 0xFF});
  CHECK_FALSE(hex::decodeBytes("abc", bytes));
  CHECK_FALSE(hex::decodeBytes("zz", bytes));
  std::uint64_t v = 0;
  CHECK(hex::parseNumber("0xFFFFFFFF", 8, v));
  CHECK(v == 0xFFFFFFFFu);
  CHECK(hex::parseNumber("0X1", 8, v));
  CHECK(v == 1);
  CHECK_FALSE(hex::parseNumber("0x", 8, v));
  CHECK_FALSE(hex::parseNumber("0x123456789", 8, v));
  CHECK_FALSE(hex::parseNumber("12", 8, v));
  CHECK_FALSE(hex::parseNumber("0x1g", 8, v));
  std::string out;
  hex::appendNumber(out, 0xABC, 6);
  CHECK(out == "0x000ABC");
  out.clear();
  const std::uint8_t raw[] = {0x01, 0xEF};
  hex::appendBytes(out, raw);
  CHECK(out == "01EF");
}

TEST_CASE("UTF-8 validation") {
  CHECK(utf8::isValid(""));
  CHECK(utf8::isValid("plain"));
  CHECK(utf8::isValid("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\x91"));  // é € 🔑
  CHECK_FALSE(utf8::isValid("\xC3"));                            // truncated
  CHECK_FALSE(utf8::isValid("\xC0\xAF"));                        // overlong
  CHECK_FALSE(utf8::isValid("\xE0\x80\xAF"));                    // overlong
  CHECK_FALSE(utf8::isValid("\xED\xA0\x80"));                    // surrogate
  CHECK_FALSE(utf8::isValid("\xF4\x90\x80\x80"));                // above U+10FFFF
  CHECK_FALSE(utf8::isValid("\xFF"));
}
