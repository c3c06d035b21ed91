#include <doctest/doctest.h>

#include "kms/Exception.hpp"
#include "kms/hsm/UidParser.hpp"

using kms::hsm::UidParser;

TEST_CASE("a UID without the hsm:: prefix is a database object") {
  CHECK_FALSE(UidParser::parse("4f1c-uuid").has_value());
  CHECK_FALSE(UidParser::parse("hsm:1::k").has_value());
  CHECK_FALSE(UidParser::isHsmUid("HSM::1::k"));
}

TEST_CASE("instance form: hsm::<model>[_N]::<slot>::<key>") {
  auto uid = UidParser::parse("hsm::softhsm2::3::master");
  REQUIRE(uid);
  CHECK(uid->instance == "softhsm2");
  CHECK(uid->slot == 3);
  CHECK(uid->key == "master");
  CHECK_FALSE(uid->publicKey);
  CHECK_FALSE(uid->legacy());

  uid = UidParser::parse("hsm::softhsm2_2::0::k::with::colons");
  REQUIRE(uid);
  CHECK(uid->instance == "softhsm2_2");
  CHECK(uid->key == "k::with::colons");
  CHECK(uid->toString() == "hsm::softhsm2_2::0::k::with::colons");
}

TEST_CASE("legacy form: hsm::<slot>::<key>") {
  const auto uid = UidParser::parse("hsm::12::rsa-key_pk");
  REQUIRE(uid);
  CHECK(uid->legacy());
  CHECK(uid->slot == 12);
  CHECK(uid->key == "rsa-key_pk");
  CHECK(uid->publicKey);
  CHECK(uid->pairLabel() == "rsa-key");
  CHECK(uid->toString() == "hsm::12::rsa-key_pk");
}

TEST_CASE("_pk alone is a label, not a public key of nothing") {
  const auto uid = UidParser::parse("hsm::1::_pk");
  REQUIRE(uid);
  CHECK_FALSE(uid->publicKey);
}

TEST_CASE("malformed hsm:: UIDs are refused with the expected forms named") {
  for (const char* bad : {"hsm::", "hsm::softhsm2", "hsm::softhsm2::x::k",
                          "hsm::softhsm2::1::", "hsm::3::", "hsm::-x::1::k", "hsm::soft hsm::1::k"}) {
    CAPTURE(bad);
    try {
      (void)UidParser::parse(bad);
      FAIL("accepted");
    } catch (const kms::Exception& e) {
      CHECK(e.code() == kms::ErrorCode::InvalidField);
      CHECK(std::string(e.what()).find("expected hsm::<model>[_N]::<slot>::<key> or hsm::<slot>::<key>") !=
            std::string::npos);
    }
  }
}
