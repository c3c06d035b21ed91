// MAC and MAC Verify through RequestProcessor: RFC 4231's known answers (HMAC-SHA-224/256/
// 384/512), keys kmsd creates, and the refusals.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;
using Alg = kmip::CryptographicAlgorithm;

std::string registerHmac(Fixture& f, const Bytes& key, Alg algorithm,
                         std::uint32_t usage = M::MACGenerate | M::MACVerify) {
  return f.registerKey(kmip::ObjectType::SymmetricKey, kmip::KeyFormatType::Raw, Ttlv::byteString("KeyMaterial", key),
                       algorithm, static_cast<std::int32_t>(key.size() * 8), {mask(usage), activeNow()});
}

Ttlv macRequest(const std::string& uid, const Bytes& data, std::vector<Ttlv> extra = {}) {
  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid), Ttlv::byteString("Data", data)};
  for (auto& e : extra) items.push_back(std::move(e));
  return Ttlv::structure("MAC", std::move(items));
}

Ttlv verifyRequest(const std::string& uid, const Bytes& data, const Bytes& mac) {
  return Ttlv::structure("MACVerify", {Ttlv::textString("UniqueIdentifier", uid), Ttlv::byteString("Data", data),
                                       Ttlv::byteString("MACData", mac)});
}

Bytes text(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

bool valid(const Ttlv& response) {
  return response.at("ValidityIndicator").asEnumeration() == static_cast<std::uint32_t>(kmip::ValidityIndicator::Valid);
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "MAC: RFC 4231 test cases 1 and 2 for HMAC-SHA-224, 256, 384 and 512") {
  struct Case {
    Alg algorithm;
    const char* case1;  // key 0x0b x 20, "Hi There"
    const char* case2;  // key "Jefe", "what do ya want for nothing?"
  };
  const Case cases[] = {
      {Alg::HMAC_SHA224, "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
       "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"},
      {Alg::HMAC_SHA256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Alg::HMAC_SHA384,
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
      {Alg::HMAC_SHA512,
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f17"
       "02e696c203a126854",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4"
       "b636e070a38bce737"},
  };
  for (const auto& c : cases) {
    CAPTURE(static_cast<std::uint32_t>(c.algorithm));
    const auto first = registerHmac(*this, Bytes(20, 0x0b), c.algorithm);
    const auto mac1 = run(macRequest(first, text("Hi There")));
    CHECK(mac1.at("UniqueIdentifier").asText() == first);
    CHECK(mac1.at("MACData").asBytes() == hex(c.case1));
    const auto second = registerHmac(*this, text("Jefe"), c.algorithm);
    CHECK(run(macRequest(second, text("what do ya want for nothing?"))).at("MACData").asBytes() == hex(c.case2));
    CHECK(valid(run(verifyRequest(second, text("what do ya want for nothing?"), hex(c.case2)))));
  }
}

TEST_CASE_FIXTURE(Fixture, "MAC Verify: a MAC of other data, a flipped bit or a cut MAC is Invalid") {
  const auto uid = registerHmac(*this, Bytes(32, 7), Alg::HMAC_SHA256);
  const auto tag = run(macRequest(uid, text("data"))).at("MACData").asBytes();
  CHECK(valid(run(verifyRequest(uid, text("data"), tag))));
  CHECK_FALSE(valid(run(verifyRequest(uid, text("date"), tag))));
  Bytes flipped = tag;
  flipped[31] ^= 1;
  CHECK_FALSE(valid(run(verifyRequest(uid, text("data"), flipped))));
  CHECK_FALSE(valid(run(verifyRequest(uid, text("data"), Bytes(tag.begin(), tag.begin() + 16)))));
}

TEST_CASE_FIXTURE(Fixture, "Create makes HMAC keys: the digest's length and MAC usage by default") {
  const auto uid =
      run(Ttlv::structure(
              "Create",
              {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
               Ttlv::structure("Attributes", {enumItem("CryptographicAlgorithm", Alg::HMAC_SHA384), activeNow()})}))
          .at("UniqueIdentifier")
          .asText();
  const auto key = keyBlockOf(get(uid), "SymmetricKey").at("KeyValue").at("KeyMaterial").asBytes();
  CHECK(key.size() == 48);
  const auto attributes =
      run(Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", uid)})).at("Attributes");
  CHECK(static_cast<std::uint32_t>(attributes.at("CryptographicUsageMask").asInteger()) ==
        (M::MACGenerate | M::MACVerify));
  CHECK(run(macRequest(uid, text("x"))).at("MACData").asBytes().size() == 48);
  // Lengths: whole bytes from 112 to 4096 bits.
  auto create = [&](std::int32_t bits) {
    return Ttlv::structure("Create",
                           {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
                            Ttlv::structure("Attributes", {enumItem("CryptographicAlgorithm", Alg::HMAC_SHA256),
                                                           Ttlv::integer("CryptographicLength", bits)})});
  };
  CHECK(failure(create(64)) == ErrorCode::InvalidField);
  CHECK(failure(create(257)) == ErrorCode::InvalidField);
  CHECK(failure(create(8192)) == ErrorCode::InvalidField);
  CHECK_FALSE(run(create(4096)).at("UniqueIdentifier").asText().empty());
}

TEST_CASE_FIXTURE(Fixture,
                  "MAC refusals: not an HMAC key, another algorithm, usage mask, state, an HMAC key encrypting") {
  const auto aes = createAes(256, M::Encrypt | M::MACGenerate);
  CHECK(failure(macRequest(aes, text("x"))) == ErrorCode::IllegalObjectType);
  const auto uid = registerHmac(*this, Bytes(32, 1), Alg::HMAC_SHA256);
  CHECK(failure(macRequest(
            uid, text("x"),
            {Ttlv::structure("CryptographicParameters", {enumItem("CryptographicAlgorithm", Alg::HMAC_SHA512)})})) ==
        ErrorCode::BadCryptographicParameters);
  CHECK_FALSE(run(macRequest(uid, text("x"),
                             {Ttlv::structure("CryptographicParameters",
                                              {enumItem("CryptographicAlgorithm", Alg::HMAC_SHA256)})}))
                  .at("MACData")
                  .asBytes()
                  .empty());
  CHECK(failure(Ttlv::structure("MAC", {Ttlv::textString("UniqueIdentifier", uid)})) == ErrorCode::MissingData);
  const auto verifyOnly = registerHmac(*this, Bytes(32, 2), Alg::HMAC_SHA256, M::MACVerify);
  CHECK(failure(macRequest(verifyOnly, text("x"))) == ErrorCode::IncompatibleUsageMask);
  CHECK(failure(Ttlv::structure(
            "Encrypt",
            {Ttlv::textString("UniqueIdentifier", registerHmac(*this, Bytes(32, 3), Alg::HMAC_SHA256, M::Encrypt)),
             Ttlv::byteString("Data", text("x"))})) == ErrorCode::FeatureNotSupported);
  CHECK(failure(macRequest("no-such-key", text("x"))) == ErrorCode::NotFound);
}

}  // namespace kms::ops::keystest
