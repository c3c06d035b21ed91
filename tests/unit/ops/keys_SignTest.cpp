// Sign / Signature Verify through RequestProcessor.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;

Ttlv params(std::vector<Ttlv> items) {
  return Ttlv::structure("CryptographicParameters", std::move(items));
}

struct SignFixture : Fixture {
  std::string privateUid;
  std::string publicUid;
  SignFixture() {
    const auto& pair = sharedRsaPair();
    privateUid =
        registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                    Ttlv::byteString("KeyMaterial", Bytes(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end())),
                    kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign), activeNow()});
    publicUid = registerKey(kmip::ObjectType::PublicKey, kmip::KeyFormatType::PKCS_1,
                            Ttlv::byteString("KeyMaterial", pair.publicPkcs1Der), kmip::CryptographicAlgorithm::RSA,
                            2048, {mask(M::Verify), activeNow()});
  }
  Bytes sign(const Bytes& data, std::vector<Ttlv> extra = {}) {
    std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", privateUid)};
    for (auto& e : extra) items.push_back(std::move(e));
    items.push_back(Ttlv::byteString("Data", data));
    return run(Ttlv::structure("Sign", items)).at("SignatureData").asBytes();
  }
  Ttlv verifyRequest(const std::string& uid, const Bytes& data, const Bytes& signature, std::vector<Ttlv> extra = {}) {
    std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid)};
    for (auto& e : extra) items.push_back(std::move(e));
    items.push_back(Ttlv::byteString("Data", data));
    items.push_back(Ttlv::byteString("SignatureData", signature));
    return Ttlv::structure("SignatureVerify", items);
  }
  bool verify(const Bytes& data, const Bytes& signature, std::vector<Ttlv> extra = {}) {
    const auto response = run(verifyRequest(publicUid, data, signature, std::move(extra)));
    return response.at("ValidityIndicator").asEnumeration() ==
           static_cast<std::uint32_t>(kmip::ValidityIndicator::Valid);
  }
};

}  // namespace

TEST_CASE_FIXTURE(SignFixture, "Sign and verify: PKCS#1 v1.5 and PSS with SHA-256/384/512, DigitalSignatureAlgorithm") {
  const Bytes data{'k', 'm', 's', 'd'};
  std::vector<Ttlv> variants{
      params({enumItem("PaddingMethod", kmip::PaddingMethod::PKCS1V1_5),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_256)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::PKCS1V1_5),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_384)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::PKCS1V1_5),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_512)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::PSS),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_256)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::PSS),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_512)}),
      params({enumItem("DigitalSignatureAlgorithm", kmip::DigitalSignatureAlgorithm::SHA_256WithRSAEncryption)}),
      params({enumItem("DigitalSignatureAlgorithm", kmip::DigitalSignatureAlgorithm::RSASSA_PSS),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_384)}),
  };
  for (std::size_t i = 0; i < variants.size(); ++i) {
    CAPTURE(i);
    const auto signature = sign(data, {variants[i]});
    CHECK(signature.size() == 256);
    CHECK(verify(data, signature, {variants[i]}));
    Bytes tampered = data;
    tampered[0] ^= 1;
    CHECK_FALSE(verify(tampered, signature, {variants[i]}));
  }
  // PKCS#1 v1.5 is deterministic: DigitalSignatureAlgorithm SHA256WithRSA == PKCS1v1_5 + SHA-256 == the default.
  CHECK(sign(data, {variants[5]}) == sign(data, {variants[0]}));
  CHECK(sign(data) == sign(data, {variants[0]}));
  // A signature made with one digest does not verify with another.
  CHECK_FALSE(verify(data, sign(data, {variants[0]}), {variants[1]}));
}

TEST_CASE_FIXTURE(SignFixture, "Sign / Verify refusals") {
  const Bytes data{1, 2, 3};
  // Usage masks: the public key cannot sign, the private key (mask Sign) cannot verify.
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", publicUid),
                                         Ttlv::byteString("Data", data)})) == ErrorCode::IncompatibleUsageMask);
  CHECK(failure(verifyRequest(privateUid, data, Bytes(256, 0))) == ErrorCode::IncompatibleUsageMask);
  // DigestedData is not supported.
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", privateUid),
                                         Ttlv::byteString("DigestedData", Bytes(32, 0))})) ==
        ErrorCode::FeatureNotSupported);
  // Contradictory parameters.
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", privateUid),
                                         params({enumItem("DigitalSignatureAlgorithm",
                                                          kmip::DigitalSignatureAlgorithm::SHA_256WithRSAEncryption),
                                                 enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_512)}),
                                         Ttlv::byteString("Data", data)})) == ErrorCode::BadCryptographicParameters);
  CHECK(failure(Ttlv::structure(
            "Sign", {Ttlv::textString("UniqueIdentifier", privateUid),
                     params({enumItem("DigitalSignatureAlgorithm", kmip::DigitalSignatureAlgorithm::ECDSAWithSHA256)}),
                     Ttlv::byteString("Data", data)})) == ErrorCode::FeatureNotSupported);
  // An AES key does not sign.
  const auto aes = createAes(128, M::Sign);
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", aes), Ttlv::byteString("Data", data)})) ==
        ErrorCode::FeatureNotSupported);
  // A private key with Sign in its mask but in the Deactivated future... PreActive here.
  const auto& pair = sharedRsaPair();
  const auto preActive =
      registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                  Ttlv::byteString("KeyMaterial", Bytes(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end())),
                  kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Sign)});
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", preActive),
                                         Ttlv::byteString("Data", data)})) == ErrorCode::WrongKeyLifecycleState);
  // A key whose DeactivationDate has passed is no longer Active.
  const auto expired =
      registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                  Ttlv::byteString("KeyMaterial", Bytes(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end())),
                  kmip::CryptographicAlgorithm::RSA, 2048,
                  {mask(M::Sign), activeNow(), Ttlv::dateTime("DeactivationDate", now() - 60)});
  CHECK(failure(Ttlv::structure("Sign", {Ttlv::textString("UniqueIdentifier", expired),
                                         Ttlv::byteString("Data", data)})) == ErrorCode::WrongKeyLifecycleState);
}

}  // namespace kms::ops::keystest
