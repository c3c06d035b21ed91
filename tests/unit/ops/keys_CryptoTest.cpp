// Encrypt / Decrypt through RequestProcessor: known answers (NIST GCM, the OASIS CS-BC and
// CS-AC-M-OAEP vectors read from ../shared), round trips for every mode and padding, and the
// refusals with their reasons.
#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;

Ttlv params(std::vector<Ttlv> items) {
  return Ttlv::structure("CryptographicParameters", std::move(items));
}

Ttlv encryptRequest(const std::string& uid, const Bytes& data, std::vector<Ttlv> extra = {}) {
  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid)};
  for (auto& e : extra) items.push_back(std::move(e));
  items.push_back(Ttlv::byteString("Data", data));
  return Ttlv::structure("Encrypt", items);
}

Ttlv decryptRequest(const std::string& uid, const Bytes& data, std::vector<Ttlv> extra = {}) {
  std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid)};
  for (auto& e : extra) items.push_back(std::move(e));
  items.push_back(Ttlv::byteString("Data", data));
  return Ttlv::structure("Decrypt", items);
}

Ttlv gcm(std::int32_t tagLength = 16) {
  return params({enumItem("BlockCipherMode", kmip::BlockCipherMode::GCM), Ttlv::integer("TagLength", tagLength)});
}

const Bytes kZero16 = hex("00000000000000000000000000000000");
const Bytes kZero12 = hex("000000000000000000000000");

}  // namespace

TEST_CASE_FIXTURE(Fixture, "AES-GCM known answer (CS-BC-M-GCM-1, NIST test case 2) and tag failures") {
  const auto uid = registerAes(kZero16, M::Encrypt | M::Decrypt);
  const auto response = run(encryptRequest(uid, kZero16, {gcm(), Ttlv::byteString("IVCounterNonce", kZero12)}));
  CHECK(response.at("Data").asBytes() == hex("0388dace60b6a392f328c2b971b2fe78"));
  CHECK(response.at("AuthenticatedEncryptionTag").asBytes() == hex("ab6e47d42cec13bdf53a67b21257bddf"));
  CHECK(response.find("IVCounterNonce") == nullptr);  // the client gave it

  auto decrypt = [&](const Bytes& data, const Bytes& iv, const Bytes& tag, std::int32_t tagLength = 16) {
    return decryptRequest(
        uid, data,
        {gcm(tagLength), Ttlv::byteString("IVCounterNonce", iv), Ttlv::byteString("AuthenticatedEncryptionTag", tag)});
  };
  const auto ciphertext = hex("0388dace60b6a392f328c2b971b2fe78");
  CHECK(run(decrypt(ciphertext, kZero12, hex("ab6e47d42cec13bdf53a67b21257bddf"))).at("Data").asBytes() == kZero16);
  CHECK(failure(decrypt(ciphertext, kZero12, hex("006e47d42cec13bdf53a67b21257bddf"))) ==
        ErrorCode::CryptographicFailure);
  CHECK(failure(decrypt(ciphertext, hex("ff0000000000000000000000"), hex("ab6e47d42cec13bdf53a67b21257bddf"))) ==
        ErrorCode::CryptographicFailure);
  CHECK(failure(decrypt(hex("ff88dace60b6a392f328c2b971b2fe78"), kZero12, hex("ab6e47d42cec13bdf53a67b21257bddf"))) ==
        ErrorCode::CryptographicFailure);
  // A truncated 12-byte tag is accepted with TagLength 12.
  CHECK(run(decrypt(ciphertext, kZero12, hex("ab6e47d42cec13bdf53a67b2"), 12)).at("Data").asBytes() == kZero16);

  // Tag lengths 1 and 32: GeneralFailure, as the vector expects.
  for (std::int32_t bad : {1, 32}) {
    CAPTURE(bad);
    CHECK(failure(encryptRequest(uid, kZero16, {gcm(bad), Ttlv::byteString("IVCounterNonce", kZero12)})) ==
          ErrorCode::GeneralFailure);
    CHECK(reasonInMessage("Encrypt",
                          encryptRequest(uid, kZero16, {gcm(bad), Ttlv::byteString("IVCounterNonce", kZero12)})) ==
          static_cast<std::uint32_t>(kmip::ResultReason::GeneralFailure));
  }
  CHECK(reasonInMessage("Decrypt", decrypt(ciphertext, kZero12, hex("006e47d42cec13bdf53a67b21257bddf"))) ==
        static_cast<std::uint32_t>(kmip::ResultReason::CryptographicFailure));
  // GCM without a tag.
  CHECK(failure(decryptRequest(uid, ciphertext, {gcm(), Ttlv::byteString("IVCounterNonce", kZero12)})) ==
        ErrorCode::MissingData);
}

TEST_CASE_FIXTURE(Fixture, "AES-GCM with additional data: NIST test case 4") {
  const auto uid = registerAes(hex("feffe9928665731c6d6a8f9467308308"), M::Encrypt | M::Decrypt);
  const auto plaintext =
      hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0d"
          "e657ba637b39");
  const auto aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const auto iv = hex("cafebabefacedbaddecaf888");
  const auto response = run(encryptRequest(
      uid, plaintext,
      {gcm(), Ttlv::byteString("IVCounterNonce", iv), Ttlv::byteString("AuthenticatedEncryptionAdditionalData", aad)}));
  CHECK(response.at("Data").asBytes() == hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25"
                                             "466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"));
  CHECK(response.at("AuthenticatedEncryptionTag").asBytes() == hex("5bc94fbc3221a5db94fae95ae7121a47"));
  const auto back = run(decryptRequest(
      uid, response.at("Data").asBytes(),
      {gcm(), Ttlv::byteString("IVCounterNonce", iv), Ttlv::byteString("AuthenticatedEncryptionAdditionalData", aad),
       Ttlv::byteString("AuthenticatedEncryptionTag", response.at("AuthenticatedEncryptionTag").asBytes())}));
  CHECK(back.at("Data").asBytes() == plaintext);
  // Wrong AAD.
  CHECK(failure(decryptRequest(
            uid, response.at("Data").asBytes(),
            {gcm(), Ttlv::byteString("IVCounterNonce", iv),
             Ttlv::byteString("AuthenticatedEncryptionAdditionalData", hex("00")),
             Ttlv::byteString("AuthenticatedEncryptionTag", response.at("AuthenticatedEncryptionTag").asBytes())})) ==
        ErrorCode::CryptographicFailure);
}

TEST_CASE_FIXTURE(Fixture, "AES without parameters: GCM with a server-made IV, returned with the tag") {
  const auto uid = createAes(256, M::Encrypt | M::Decrypt);
  const auto data = hex("48656c6c6f2c20776f726c64210a");
  const auto response = run(encryptRequest(uid, data));
  const auto& iv = response.at("IVCounterNonce").asBytes();
  const auto& tag = response.at("AuthenticatedEncryptionTag").asBytes();
  CHECK(iv.size() == 12);
  CHECK(tag.size() == 16);
  CHECK(response.at("Data").asBytes().size() == data.size());
  const auto back = run(
      decryptRequest(uid, response.at("Data").asBytes(),
                     {Ttlv::byteString("IVCounterNonce", iv), Ttlv::byteString("AuthenticatedEncryptionTag", tag)}));
  CHECK(back.at("Data").asBytes() == data);
  // Two encryptions use two IVs.
  CHECK(run(encryptRequest(uid, data)).at("IVCounterNonce").asBytes() != iv);
  // IVLength (bits) picks the generated IV's size.
  const auto longIv = run(encryptRequest(
      uid, data, {params({enumItem("BlockCipherMode", kmip::BlockCipherMode::GCM), Ttlv::integer("IVLength", 128)})}));
  CHECK(longIv.at("IVCounterNonce").asBytes().size() == 16);
}

TEST_CASE_FIXTURE(Fixture, "AES-ECB known answer (CS-BC-M-4/5) and the key's own CryptographicParameters (CS-BC-M-1)") {
  const auto uid = registerAes(hex("0123456789abcdef0123456789abcdef"), M::Encrypt | M::Decrypt);
  const auto ecb = params({enumItem("BlockCipherMode", kmip::BlockCipherMode::ECB)});
  const auto data = hex("01020304050607080910111213141516");
  const auto response = run(encryptRequest(uid, data, {ecb}));
  CHECK(response.at("Data").asBytes() == hex("d9bcce11b0b437b90239552df3a360c9"));
  CHECK(response.find("IVCounterNonce") == nullptr);
  CHECK(run(decryptRequest(uid, hex("d9bcce11b0b437b90239552df3a360c9"), {ecb})).at("Data").asBytes() == data);

  // A key created with {BlockCipherMode ECB} encrypts one block into one block with no parameters.
  const auto keyWithParams = createAes(128, M::Encrypt | M::Decrypt, {ecb});
  const auto c = run(encryptRequest(keyWithParams, data));
  CHECK(c.at("Data").asBytes().size() == 16);
  CHECK(c.find("AuthenticatedEncryptionTag") == nullptr);
  CHECK(run(decryptRequest(keyWithParams, c.at("Data").asBytes())).at("Data").asBytes() == data);
  // ECB without padding refuses a partial block.
  CHECK(failure(encryptRequest(uid, hex("0102"), {ecb})).has_value());
}

TEST_CASE_FIXTURE(Fixture, "AES-CBC and AES-ECB round trips with PKCS5 and no padding") {
  const auto uid = createAes(192, M::Encrypt | M::Decrypt);
  for (auto mode : {kmip::BlockCipherMode::CBC, kmip::BlockCipherMode::ECB}) {
    for (auto padding : {kmip::PaddingMethod::PKCS5, kmip::PaddingMethod::None}) {
      CAPTURE(static_cast<int>(mode));
      CAPTURE(static_cast<int>(padding));
      const auto p = params({enumItem("BlockCipherMode", mode), enumItem("PaddingMethod", padding)});
      const auto data = padding == kmip::PaddingMethod::None ? Bytes(32, 0x5A) : Bytes(21, 0x5A);
      const auto response = run(encryptRequest(uid, data, {p}));
      const auto& ciphertext = response.at("Data").asBytes();
      CHECK(ciphertext.size() % 16 == 0);
      std::vector<Ttlv> extra{p};
      if (mode == kmip::BlockCipherMode::CBC) {
        REQUIRE(response.find("IVCounterNonce") != nullptr);
        CHECK(response.at("IVCounterNonce").asBytes().size() == 16);
        extra.push_back(response.at("IVCounterNonce"));
      }
      CHECK(run(decryptRequest(uid, ciphertext, extra)).at("Data").asBytes() == data);
    }
  }
  // CBC decryption without its IV.
  const auto cbc = params({enumItem("BlockCipherMode", kmip::BlockCipherMode::CBC)});
  CHECK(failure(decryptRequest(uid, Bytes(16, 1), {cbc})) == ErrorCode::MissingData);
  // Modes kmsd does not implement.
  CHECK(
      failure(encryptRequest(uid, Bytes(16, 1), {params({enumItem("BlockCipherMode", kmip::BlockCipherMode::CTR)})})) ==
      ErrorCode::FeatureNotSupported);
  // Parameters naming another algorithm.
  CHECK(failure(encryptRequest(uid, Bytes(16, 1),
                               {params({enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA)})})) ==
        ErrorCode::BadCryptographicParameters);
}

// Reads the OASIS vectors, kept outside the repository: skipped in the kms_unit_ops_keys run and
// run by its own ctest test kms_unit_ops_keys.oasis_vectors (--no-skip), which ctest reports as
// skipped when the vector files are absent (tests/unit/ops/CMakeLists.txt). Run here, missing
// vectors are a failure: a pass must mean the known answers were checked.
TEST_CASE_FIXTURE(Fixture, "RSA-OAEP known answer from CS-AC-M-OAEP-1/2 (OASIS vectors)" * doctest::skip()) {
  const auto privateKeys = vectorValues("CS-AC-M-OAEP-2-21.xml", "KeyMaterial");
  const auto data = vectorValues("CS-AC-M-OAEP-2-21.xml", "Data");
  const auto publicKeys = vectorValues("CS-AC-M-OAEP-1-21.xml", "KeyMaterial");
  INFO("OASIS vectors read from " << vectorDir().string());
  REQUIRE(!privateKeys.empty());
  REQUIRE(data.size() >= 2);
  REQUIRE(!publicKeys.empty());
  const auto oaep = params({enumItem("PaddingMethod", kmip::PaddingMethod::OAEP),
                            enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_256),
                            enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA),
                            enumItem("MaskGenerator", kmip::MaskGenerator::MFG1),
                            enumItem("MaskGeneratorHashingAlgorithm", kmip::HashingAlgorithm::SHA_256)});
  const auto privateUid = registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                                      Ttlv::byteString("KeyMaterial", hex(privateKeys[0])),
                                      kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Decrypt), oaep, activeNow()});
  // The vector's ciphertext (request of step 1) decrypts to its plaintext (response of step 1),
  // with the parameters taken from the key's attribute.
  CHECK(run(decryptRequest(privateUid, hex(data[0]))).at("Data").asBytes() == hex(data[1]));

  const auto publicUid = registerKey(kmip::ObjectType::PublicKey, kmip::KeyFormatType::X_509,
                                     Ttlv::byteString("KeyMaterial", hex(publicKeys[0])),
                                     kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Encrypt), oaep, activeNow()});
  const auto encrypted = run(encryptRequest(publicUid, hex(data[1])));
  CHECK(encrypted.at("Data").asBytes().size() == 256);
  CHECK(run(decryptRequest(privateUid, encrypted.at("Data").asBytes())).at("Data").asBytes() == hex(data[1]));
  // The public key cannot decrypt (usage mask first).
  CHECK(failure(decryptRequest(publicUid, encrypted.at("Data").asBytes())) == ErrorCode::IncompatibleUsageMask);
}

TEST_CASE_FIXTURE(Fixture, "RSA round trips: OAEP SHA-1/SHA-256/SHA-512, default") {
  const auto& pair = sharedRsaPair();
  const auto privateUid =
      registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                  Ttlv::byteString("KeyMaterial", Bytes(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end())),
                  kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Decrypt | M::Encrypt), activeNow()});
  const auto publicUid = registerKey(kmip::ObjectType::PublicKey, kmip::KeyFormatType::PKCS_1,
                                     Ttlv::byteString("KeyMaterial", pair.publicPkcs1Der),
                                     kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Encrypt), activeNow()});
  const Bytes secret(32, 0x42);
  std::vector<Ttlv> variants{
      params({enumItem("PaddingMethod", kmip::PaddingMethod::OAEP),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_1)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::OAEP),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_256)}),
      params({enumItem("PaddingMethod", kmip::PaddingMethod::OAEP),
              enumItem("HashingAlgorithm", kmip::HashingAlgorithm::SHA_512),
              enumItem("MaskGeneratorHashingAlgorithm", kmip::HashingAlgorithm::SHA_1)}),
      // PKCS#1 v1.5: keys_RsaPkcs1v15Test.cpp (its Decrypt is off unless rsa_pkcs1v15_decrypt).
  };
  for (const auto& p : variants) {
    const auto c = run(encryptRequest(publicUid, secret, {p}));
    CHECK(run(decryptRequest(privateUid, c.at("Data").asBytes(), {p})).at("Data").asBytes() == secret);
  }
  // No parameters: OAEP SHA-256 on both sides; the private key encrypts through its public half.
  const auto c = run(encryptRequest(privateUid, secret));
  CHECK(run(decryptRequest(privateUid, c.at("Data").asBytes())).at("Data").asBytes() == secret);
  // Mismatched OAEP digest: the same opaque CryptographicFailure.
  const auto sha1 = run(encryptRequest(publicUid, secret, {variants[0]}));
  CHECK(failure(decryptRequest(privateUid, sha1.at("Data").asBytes(), {variants[1]})) ==
        ErrorCode::CryptographicFailure);
  // Unsupported padding / digest.
  CHECK(failure(encryptRequest(publicUid, secret, {params({enumItem("PaddingMethod", kmip::PaddingMethod::X9_31)})})) ==
        ErrorCode::FeatureNotSupported);
  CHECK(failure(encryptRequest(publicUid, secret,
                               {params({enumItem("PaddingMethod", kmip::PaddingMethod::OAEP),
                                        enumItem("HashingAlgorithm", kmip::HashingAlgorithm::MD5)})})) ==
        ErrorCode::FeatureNotSupported);
}

TEST_CASE_FIXTURE(Fixture, "Encrypt/Decrypt refusals: lifecycle state, usage mask, unknown key, other owner") {
  const auto preActive = createAes(128, M::Encrypt | M::Decrypt, {}, false);
  CHECK(failure(encryptRequest(preActive, kZero16)) == ErrorCode::WrongKeyLifecycleState);
  CHECK(reasonInMessage("Encrypt", encryptRequest(preActive, kZero16)) ==
        static_cast<std::uint32_t>(kmip::ResultReason::WrongKeyLifecycleState));

  const auto encryptOnly = createAes(128, M::Encrypt);
  const auto c = run(encryptRequest(encryptOnly, kZero16));
  CHECK(failure(decryptRequest(encryptOnly, c.at("Data").asBytes(),
                               {c.at("IVCounterNonce"), c.at("AuthenticatedEncryptionTag")})) ==
        ErrorCode::IncompatibleUsageMask);
  CHECK(reasonInMessage("Decrypt", decryptRequest(encryptOnly, c.at("Data").asBytes(),
                                                  {c.at("IVCounterNonce"), c.at("AuthenticatedEncryptionTag")})) ==
        static_cast<std::uint32_t>(kmip::ResultReason::IncompatibleCryptographicUsageMask));

  const auto decryptOnly = createAes(128, M::Decrypt);
  CHECK(failure(encryptRequest(decryptOnly, kZero16)) == ErrorCode::IncompatibleUsageMask);

  // Unrestricted allows every use.
  const auto unrestricted = createAes(128, M::Unrestricted);
  const auto u = run(encryptRequest(unrestricted, kZero16));
  CHECK(run(decryptRequest(unrestricted, u.at("Data").asBytes(),
                           {u.at("IVCounterNonce"), u.at("AuthenticatedEncryptionTag")}))
            .at("Data")
            .asBytes() == kZero16);

  CHECK(failure(encryptRequest("no-such-key", kZero16)) == ErrorCode::NotFound);
  RequestContext bob{"bob"};
  bool refused = false;
  try {
    (void)run(encryptRequest(encryptOnly, kZero16), &bob);
  } catch (const Exception& e) {
    refused = e.code() == ErrorCode::NotFound;
  }
  CHECK(refused);
}

TEST_CASE_FIXTURE(Fixture, "Create then Encrypt in one batch uses the ID placeholder") {
  Ttlv message = Ttlv::structure(
      "RequestMessage",
      {Ttlv::structure("RequestHeader", {Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 2),
                                                                             Ttlv::integer("ProtocolVersionMinor", 1)}),
                                         Ttlv::integer("BatchCount", 2)}),
       Ttlv::structure(
           "BatchItem",
           {enumItem("Operation", kmip::Operation::Create),
            Ttlv::structure("RequestPayload", {enumItem("ObjectType", kmip::ObjectType::SymmetricKey),
                                               Ttlv::structure("Attributes", {mask(M::Encrypt), activeNow()})})}),
       Ttlv::structure("BatchItem", {enumItem("Operation", kmip::Operation::Encrypt),
                                     Ttlv::structure("RequestPayload", {Ttlv::byteString("Data", kZero16)})})});
  const auto response = run(message);
  const auto items = response.findAll("BatchItem");
  REQUIRE(items.size() == 2);
  const auto uid = items[0]->at("ResponsePayload").at("UniqueIdentifier").asText();
  CHECK(items[1]->at("ResultStatus").asEnumeration() == static_cast<std::uint32_t>(kmip::ResultStatus::Success));
  CHECK(items[1]->at("ResponsePayload").at("UniqueIdentifier").asText() == uid);
}

}  // namespace kms::ops::keystest
