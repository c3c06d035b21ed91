// SigV4 on facts of AWS's Signature Version 4 test suite (credential AKIDEXAMPLE, region
// us-east-1, service "service", 2015-08-30T12:36:00Z): the signatures of get-vanilla,
// post-vanilla and get-vanilla-query-order-key-case, and the verifier around them.
#include <doctest/doctest.h>

#include <cctype>
#include <chrono>
#include <functional>

#include "kms/integrations/aws_xks/SigV4.hpp"
#include "kms/integrations/aws_xks/SigV4Verifier.hpp"
#include "kms/integrations/aws_xks/SigningKeyCache.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"

using kms::integrations::aws_xks::SigV4;
using kms::integrations::aws_xks::SigV4Credential;
using kms::integrations::aws_xks::SigV4Verifier;
using kms::integrations::aws_xks::XksError;
using kms::integrations::aws_xks::XksErrorName;

namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kDate = "20150830T123600Z";
constexpr const char* kScope = "20150830/us-east-1/service/aws4_request";
const std::vector<SigV4::Header> kHeaders{{"host", "example.amazonaws.com"}, {"x-amz-date", kDate}};

std::string sign(std::string_view method, std::string_view query) {
  const std::string canonical =
      SigV4::canonicalRequest(method, "/", query, kHeaders, "host;x-amz-date", SigV4::sha256Hex(""));
  return SigV4::signature(SigV4::signingKey(kSecret, "20150830", "us-east-1", "service"),
                          SigV4::stringToSign(kDate, kScope, canonical));
}

// 2015-08-30T12:36:00Z
std::chrono::system_clock::time_point suiteTime() {
  return std::chrono::system_clock::from_time_t(1440938160);
}

std::string authorization(const std::string& keyId, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=" + keyId + "/" + kScope +
         ", SignedHeaders=host;x-amz-date, Signature=" + signature;
}

XksErrorName failure(const std::function<void()>& call) {
  try {
    call();
  } catch (const XksError& error) {
    return error.name();
  }
  return XksErrorName::InternalException;
}

}  // namespace

TEST_CASE("SigV4: the test suite's get-vanilla, post-vanilla and query order") {
  const std::string canonical =
      SigV4::canonicalRequest("GET", "/", "", kHeaders, "host;x-amz-date", SigV4::sha256Hex(""));
  CHECK(canonical ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(SigV4::stringToSign(kDate, kScope, canonical)
            .ends_with("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"));
  CHECK(sign("GET", "") == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(sign("POST", "") == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  CHECK(SigV4::canonicalQuery("Param2=value2&Param1=value1") == "Param1=value1&Param2=value2");
  CHECK(sign("GET", "Param2=value2&Param1=value1") ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("SigV4: canonical forms") {
  CHECK(SigV4::canonicalUri("") == "/");
  CHECK(SigV4::canonicalUri("/kms/xks/v1/keys/a.b_c-d~e/encrypt") == "/kms/xks/v1/keys/a.b_c-d~e/encrypt");
  CHECK(SigV4::canonicalUri("/a b/%3A") == "/a%20b/%253A");  // an escape is encoded again (not S3)
  CHECK(SigV4::canonicalHeaderValue("  a   b  c ") == "a b c");
}

TEST_CASE("SigV4Verifier: the post-vanilla request, and what must fail") {
  const std::string good = sign("POST", "");
  const SigV4Verifier verifier({{"AKIDEXAMPLE", kSecret}, {"AKIDSECOND", "another secret"}}, "us-east-1", "service");
  const std::vector<SigV4::Header> headers{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}};

  const auto verify = [&](const std::string& auth, const std::string& date, std::chrono::seconds offset,
                          std::string_view body) {
    const auto parsed = verifier.precheck(auth, date, suiteTime() + offset);
    verifier.verify(parsed, "POST", "/", "", headers, date, body);
  };
  CHECK_NOTHROW(verify(authorization("AKIDEXAMPLE", good), kDate, std::chrono::seconds(0), ""));
  CHECK_NOTHROW(verify(authorization("AKIDEXAMPLE", good), kDate, std::chrono::seconds(299), ""));
  constexpr auto kAuthFailed = XksErrorName::AuthenticationFailedException;
  // Date outside the 5 minutes, either way.
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", good), kDate, std::chrono::seconds(301), ""); }) ==
        kAuthFailed);
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", good), kDate, std::chrono::seconds(-301), ""); }) ==
        kAuthFailed);
  // A body the signature does not cover; another credential's id; an unknown id.
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", good), kDate, std::chrono::seconds(0), "x"); }) ==
        kAuthFailed);
  CHECK(failure([&] { verify(authorization("AKIDSECOND", good), kDate, std::chrono::seconds(0), ""); }) == kAuthFailed);
  CHECK(failure([&] { verify(authorization("AKIDUNKNOWN", good), kDate, std::chrono::seconds(0), ""); }) ==
        kAuthFailed);
  // One hex digit changed; upper-case hex; no Authorization; another algorithm.
  std::string flipped = good;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", flipped), kDate, std::chrono::seconds(0), ""); }) ==
        kAuthFailed);
  std::string upper = good;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", upper), kDate, std::chrono::seconds(0), ""); }) ==
        kAuthFailed);
  CHECK(failure([&] { verify("", kDate, std::chrono::seconds(0), ""); }) == kAuthFailed);
  CHECK(failure([&] {
          verify("AWS4-HMAC-SHA512" + authorization("AKIDEXAMPLE", good).substr(16), kDate, std::chrono::seconds(0),
                 "");
        }) == kAuthFailed);
  // Another region or service in the scope.
  const SigV4Verifier otherRegion({{"AKIDEXAMPLE", kSecret}}, "eu-west-1", "service");
  CHECK(failure([&] { (void)otherRegion.precheck(authorization("AKIDEXAMPLE", good), kDate, suiteTime()); }) ==
        kAuthFailed);
  // X-Amz-Date missing, or naming another day than the scope.
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", good), "", std::chrono::seconds(0), ""); }) == kAuthFailed);
  CHECK(failure([&] { verify(authorization("AKIDEXAMPLE", good), "20150831T000100Z", std::chrono::seconds(0), ""); }) ==
        kAuthFailed);
}

TEST_CASE("SigningKeyCache: the same keys as SigV4::signingKey, per credential and day") {
  kms::integrations::aws_xks::SigningKeyCache cache(2);
  const auto direct = [](std::string_view secret, std::string_view date) {
    return SigV4::signingKey(secret, date, "us-east-1", "service");
  };
  // Twice the same day (the second from the cache), the next day, then a third day that
  // replaces the oldest: every answer is the derived key of that credential and day.
  for (const char* date : {"20150830", "20150830", "20150831", "20150901", "20150831", "20150830"}) {
    CHECK(cache.get(0, kSecret, date, "us-east-1", "service") == direct(kSecret, date));
    CHECK(cache.get(1, "other-secret", date, "us-east-1", "service") == direct("other-secret", date));
  }
  CHECK(cache.get(0, kSecret, "20150830", "us-east-1", "service") != direct("other-secret", "20150830"));
}
