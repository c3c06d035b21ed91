// RSA PKCS#1 v1.5 Decrypt (issue 22, finding 8): a Bleichenbacher oracle wherever well-formed
// and malformed ciphertexts answer differently, so it is off unless rsa_pkcs1v15_decrypt is
// set. Off: one answer whatever the ciphertext. On: it decrypts (and a malformed ciphertext is
// the opaque CryptographicFailure). v1.5 encryption is never affected.
#include "keys_Fixture.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace kms::ops::keystest {
namespace {

using M = kmip::CryptographicUsageMask;

Ttlv v15() {
  return Ttlv::structure("CryptographicParameters", {enumItem("PaddingMethod", kmip::PaddingMethod::PKCS1V1_5)});
}

Ttlv request(const std::string& operation, const std::string& uid, const Bytes& data) {
  return Ttlv::structure(operation, {Ttlv::textString("UniqueIdentifier", uid), v15(), Ttlv::byteString("Data", data)});
}

ProcessorSettings enabled() {
  ProcessorSettings settings;
  settings.rsaPkcs1v15Decrypt = true;
  return settings;
}

struct Pair {
  std::string privateUid;
  std::string publicUid;
};

Pair registerPair(Fixture& f) {
  const auto& pair = sharedRsaPair();
  return {
      f.registerKey(kmip::ObjectType::PrivateKey, kmip::KeyFormatType::PKCS_1,
                    Ttlv::byteString("KeyMaterial", Bytes(pair.privatePkcs1Der.begin(), pair.privatePkcs1Der.end())),
                    kmip::CryptographicAlgorithm::RSA, 2048, {mask(M::Decrypt | M::Encrypt), activeNow()}),
      f.registerKey(kmip::ObjectType::PublicKey, kmip::KeyFormatType::PKCS_1,
                    Ttlv::byteString("KeyMaterial", pair.publicPkcs1Der), kmip::CryptographicAlgorithm::RSA, 2048,
                    {mask(M::Encrypt), activeNow()})};
}

// The answer to a failing request: code and text.
std::pair<ErrorCode, std::string> refusal(Fixture& f, const Ttlv& node) {
  try {
    (void)f.run(node);
  } catch (const Exception& e) {
    return {e.code(), e.what()};
  }
  FAIL_CHECK("the request succeeded");
  return {ErrorCode::InternalError, ""};
}

// A ciphertext that is a valid RSA value but whose v1.5 padding is wrong: raw RSA of 0x00 0x01...
Bytes malformed(const std::string& /*publicUid*/) {
  const auto& pair = sharedRsaPair();
  const unsigned char* p = pair.publicPkcs1Der.data();
  EVP_PKEY* key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(pair.publicPkcs1Der.size()));
  REQUIRE(key != nullptr);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  REQUIRE(EVP_PKEY_encrypt_init(ctx) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1);
  Bytes block(256, 0x5A);
  block[0] = 0x00;
  block[1] = 0x01;  // type 1 (signature) padding: not a v1.5 encryption block
  Bytes out(256);
  std::size_t size = out.size();
  REQUIRE(EVP_PKEY_encrypt(ctx, out.data(), &size, block.data(), block.size()) == 1);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
  out.resize(size);
  return out;
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "PKCS#1 v1.5 Decrypt is refused by default, alike for well-formed and malformed") {
  const auto pair = registerPair(*this);
  const Bytes secret(32, 0x42);
  // Encryption stays: the ciphertext is well-formed.
  const auto good = run(request("Encrypt", pair.publicUid, secret)).at("Data").asBytes();
  const auto bad = malformed(pair.publicUid);
  const auto first = refusal(*this, request("Decrypt", pair.privateUid, good));
  CHECK(first.first == ErrorCode::FeatureNotSupported);
  CHECK(std::string(first.second).find("rsa_pkcs1v15_decrypt") != std::string::npos);
  CHECK(refusal(*this, request("Decrypt", pair.privateUid, bad)) == first);
  CHECK(refusal(*this, request("Decrypt", pair.privateUid, Bytes(256, 0))) == first);
  // OAEP is unaffected.
  const auto oaep = run(Ttlv::structure("Encrypt", {Ttlv::textString("UniqueIdentifier", pair.publicUid),
                                                    Ttlv::byteString("Data", secret)}))
                        .at("Data")
                        .asBytes();
  CHECK(run(Ttlv::structure("Decrypt",
                            {Ttlv::textString("UniqueIdentifier", pair.privateUid), Ttlv::byteString("Data", oaep)}))
            .at("Data")
            .asBytes() == secret);
}

TEST_CASE("PKCS#1 v1.5 Decrypt with rsa_pkcs1v15_decrypt set: it decrypts") {
  Fixture f(enabled());
  const auto pair = registerPair(f);
  const Bytes secret(32, 0x42);
  const auto good = f.run(request("Encrypt", pair.publicUid, secret)).at("Data").asBytes();
  CHECK(f.run(request("Decrypt", pair.privateUid, good)).at("Data").asBytes() == secret);
  // A malformed one is the opaque CryptographicFailure (still an oracle: hence off by default).
  CHECK(refusal(f, request("Decrypt", pair.privateUid, malformed(pair.publicUid))).first ==
        ErrorCode::CryptographicFailure);
}

}  // namespace kms::ops::keystest
