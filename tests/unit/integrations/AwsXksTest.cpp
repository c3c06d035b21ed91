// The XKS byte layouts (the integrity value of the specification's Appendix C example, the AAD
// framing), Base64 as the API uses it, and externalKeyId <-> UID.
#include <doctest/doctest.h>

#include <string>

#include "kms/Base64.hpp"
#include "kms/integrations/aws_xks/CiphertextBinding.hpp"
#include "kms/integrations/aws_xks/ExternalKeyId.hpp"
#include "kms/integrations/aws_xks/XksBody.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"

using kms::Base64;
using kms::integrations::aws_xks::CiphertextBinding;
using kms::integrations::aws_xks::ExternalKeyId;
using kms::integrations::aws_xks::XksBody;
using kms::integrations::aws_xks::XksError;
using kms::integrations::aws_xks::XksErrorName;

namespace {

Base64::Bytes bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

Base64::Bytes decoded(std::string_view text) {
  auto out = Base64::decode(text);
  REQUIRE(out.has_value());
  return *out;
}

}  // namespace

TEST_CASE("CiphertextBinding: the specification's integrity value example") {
  const auto value = CiphertextBinding::integrityValue(
      bytes("project=nile,department=marketing"), bytes("key_version=1"), decoded("HMrlRw85cAJUd5Ax"),
      decoded("ghxkK1txeDNn3q8Y"), decoded("vBxN2ncH1oEkR8WVXpmyYQ=="));
  CHECK(Base64::encode(value) == "qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=");
}

TEST_CASE("CiphertextBinding: the AAD carries both lengths") {
  CHECK(CiphertextBinding::gcmAad({}, {}) == std::vector<std::uint8_t>{0, 0, 0});
  CHECK(CiphertextBinding::gcmAad(bytes("ab"), bytes("m")) == std::vector<std::uint8_t>{0, 2, 'a', 'b', 1, 'm'});
  // The metadata moved into the AAD frames differently: the tag cannot match.
  CHECK(CiphertextBinding::gcmAad(bytes("abm"), {}) != CiphertextBinding::gcmAad(bytes("ab"), bytes("m")));
  const Base64::Bytes large(300, 7);
  const auto framed = CiphertextBinding::gcmAad(large, {});
  CHECK(framed[0] == 1);
  CHECK(framed[1] == 44);
  CHECK(framed.size() == 303);
}

TEST_CASE("Base64: standard alphabet, padded, one encoding per value") {
  CHECK(Base64::encode(bytes("Hello World!")) == "SGVsbG8gV29ybGQh");
  CHECK(Base64::encode(bytes("a")) == "YQ==");
  CHECK(Base64::encode(bytes("ab")) == "YWI=");
  CHECK(decoded("SGVsbG8gV29ybGQh") == bytes("Hello World!"));
  CHECK(decoded("").empty());
  CHECK(decoded("+/+/") == std::vector<std::uint8_t>{0xfb, 0xff, 0xbf});
  CHECK_FALSE(Base64::decode("YQ").has_value());        // no padding
  CHECK_FALSE(Base64::decode("YR==").has_value());      // stray bits
  CHECK_FALSE(Base64::decode("-_-_").has_value());      // URL-safe alphabet
  CHECK_FALSE(Base64::decode("YQ==YQ==").has_value());  // padding inside
  CHECK_FALSE(Base64::decode("YW I=").has_value());
}

TEST_CASE("ExternalKeyId: UUIDs as they are, HSM UIDs with .. for ::") {
  CHECK(ExternalKeyId::toUid("1b4e28ba-2fa1-11d2-883f-0016d3cca427") == "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  CHECK(ExternalKeyId::toUid("hsm..softhsm2..0..xks-key_1") == "hsm::softhsm2::0::xks-key_1");
  CHECK(ExternalKeyId::fromUid("hsm::softhsm2_1::3::k.v2") == "hsm..softhsm2_1..3..k.v2");
  CHECK(ExternalKeyId::fromUid("a:b") == std::nullopt);
  CHECK(ExternalKeyId::toUid("") == std::nullopt);
  CHECK(ExternalKeyId::toUid("a:b") == std::nullopt);
  CHECK(ExternalKeyId::toUid("a/b") == std::nullopt);
  CHECK(ExternalKeyId::toUid(std::string(129, 'a')) == std::nullopt);
  CHECK(ExternalKeyId::toUid(std::string(128, 'a')).has_value());
}

TEST_CASE("XksError: names and statuses of the specification") {
  CHECK(XksError::nameOf(XksErrorName::InvalidCiphertextException) == "InvalidCiphertextException");
  CHECK(XksError::statusOf(XksErrorName::AuthenticationFailedException) == 401);
  CHECK(XksError::statusOf(XksErrorName::KeyNotFoundException) == 404);
  CHECK(XksError::statusOf(XksErrorName::UnsupportedOperationException) == 501);
  CHECK(XksError::statusOf(XksErrorName::DependencyTimeoutException) == 503);
  // The HSM unreachable: the retryable answer; a bad tag on decrypt: the ciphertext's fault.
  CHECK(XksError::fromKms(kms::Exception(kms::ErrorCode::Unavailable, "hsm down"), false).name() ==
        XksErrorName::DependencyTimeoutException);
  CHECK(XksError::fromKms(kms::Exception(kms::ErrorCode::CryptographicFailure, "tag"), true).name() ==
        XksErrorName::InvalidCiphertextException);
  CHECK(XksError::fromKms(kms::Exception(kms::ErrorCode::NotFound, "x"), false).name() ==
        XksErrorName::KeyNotFoundException);
  CHECK(XksError::fromKms(kms::Exception(kms::ErrorCode::WrongKeyLifecycleState, "x"), false).name() ==
        XksErrorName::InvalidStateException);
  CHECK(XksError::fromKms(kms::Exception(kms::ErrorCode::IncompatibleUsageMask, "x"), true).name() ==
        XksErrorName::InvalidKeyUsageException);
}

TEST_CASE("XksBody: string members, requestMetadata, and what is not an XKS body") {
  const auto body = XksBody::parse(
      R"( {"requestMetadata": {"kmsRequestId": "r-1", "deep": {"x": [1, {"y": 2}]}, "n": 5},
          "plaintext": "SGVsbG8=", "count": 3, "list": ["a"], "none": null, "esc": "a\u0041\"b",
          "plaintext2": "x", "plaintext2": "last"} )");
  REQUIRE(body != nullptr);
  REQUIRE(body->text("plaintext") != nullptr);
  CHECK(*body->text("plaintext") == "SGVsbG8=");
  CHECK(*body->text("esc") == "aA\"b");
  CHECK(*body->text("plaintext2") == "last");  // a repeated member: the last one
  // Present but not strings: has() and no text(), so validation says "is not a string".
  CHECK(body->has("count"));
  CHECK(body->text("count") == nullptr);
  CHECK(body->has("list"));
  CHECK(body->text("list") == nullptr);
  // null is as if absent.
  CHECK_FALSE(body->has("none"));
  CHECK_FALSE(body->has("missing"));
  const XksBody* metadata = body->object("requestMetadata");
  REQUIRE(metadata != nullptr);
  CHECK(*metadata->text("kmsRequestId") == "r-1");
  CHECK(metadata->has("deep"));  // deeper objects are skipped, not read
  CHECK(metadata->object("deep") == nullptr);
  CHECK(metadata->text("n") == nullptr);
  CHECK(body->object("plaintext") == nullptr);

  CHECK(XksBody::parse("{}") != nullptr);
  for (const char* bad : {"", "[]", "\"text\"", "{", R"({"a": })", R"({"a": "b"} x)", R"({"a" "b"})", R"({"a": "b",})",
                          "{\"a\": \"\xff\"}"}) {
    CAPTURE(bad);
    CHECK(XksBody::parse(bad) == nullptr);
  }
}
