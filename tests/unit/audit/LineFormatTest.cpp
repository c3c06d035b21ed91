#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "kms/audit/Digest.hpp"
#include "kms/audit/LineFormat.hpp"

using kms::audit::AuditEvent;
using kms::audit::Digest;
using kms::audit::LineFormat;

namespace {

AuditEvent sample() {
  AuditEvent event;
  event.type = "kmip";
  event.user = "alice";
  event.operation = "Encrypt";
  event.uids = {"u-1"};
  event.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1765126000123));
  return event;
}

const std::vector<std::uint8_t> kKey(32, 0x42);

}  // namespace

TEST_CASE("a line is a fixed-order JSON object ending in prev, or prev then mac") {
  const std::string line = LineFormat::render(7, sample(), Digest::zero(), {});
  CHECK(line ==
        R"({"seq":7,"time":"2025-12-07T16:46:40.123Z","type":"kmip","user":"alice","op":"Encrypt","uids":["u-1"],)"
        R"("result":"success","prev":")" +
            Digest::zero() + R"("})");
  CHECK(LineFormat::sequenceOf(line) == 7);
  CHECK_FALSE(LineFormat::splitMac(line));

  const std::string signedLine = LineFormat::render(7, sample(), Digest::zero(), kKey);
  const auto split = LineFormat::splitMac(signedLine);
  REQUIRE(split);
  CHECK(split->text == line);  // the mac signs exactly the line without it
  CHECK(split->mac == Digest::hmacSha256(kKey, line));
}

TEST_CASE("strings are escaped, truncated and kept valid UTF-8") {
  AuditEvent event = sample();
  event.user = std::string("a\"b\\c\n\x01") + "\xc3\xa9" + "\xff";
  const std::string line = LineFormat::render(1, event, Digest::zero(), {});
  CHECK(line.find(R"("user":"a\"b\\c\u000a\u0001)"
                  "\xc3\xa9"
                  R"(\ufffd")") != std::string::npos);
  event.user = std::string(2000, 'x');
  const std::string longLine = LineFormat::render(1, event, Digest::zero(), {});
  CHECK(longLine.find(std::string(LineFormat::kMaxText, 'x') + "...\"") != std::string::npos);
  CHECK(longLine.find(std::string(LineFormat::kMaxText + 1, 'x')) == std::string::npos);
}

TEST_CASE("many UIDs are capped and counted; extra fields go under ctx") {
  AuditEvent event = sample();
  event.uids.assign(40, "u");
  event.fields = {{"kmsKeyArn", "arn:aws:kms:eu-west-1:1:key/k"}};
  const std::string line = LineFormat::render(2, event, Digest::zero(), {});
  CHECK(line.find(R"("uid_count":40)") != std::string::npos);
  CHECK(line.find(R"("ctx":{"kmsKeyArn":"arn:aws:kms:eu-west-1:1:key/k"})") != std::string::npos);
}

TEST_CASE("digests: SHA-256 and HMAC-SHA-256 known answers") {
  CHECK(Digest::sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  const std::string key = "Jefe";
  CHECK(Digest::hmacSha256(std::vector<std::uint8_t>(key.begin(), key.end()), "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
