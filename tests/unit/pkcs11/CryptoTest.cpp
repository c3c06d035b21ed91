// Cryptographic operations through the ABI against SoftHSM2, checked against OpenSSL:
// AES-GCM, RSA-OAEP, PKCS#1 v1.5, signatures, wrap/unwrap of host key bytes, random, and the
// two-call convention.
#include <doctest/doctest.h>

#include <string>

#include "TestSupport.hpp"

using namespace kms::test;

namespace {

using CryptFn = kms_status (*)(kms_instance*, const kms_key_ref*, const kms_crypt_params*, const std::uint8_t*,
                               std::uint64_t, std::uint8_t*, std::uint64_t*, kms_error*);

kms_status run(CryptFn fn, const kms_key_ref& ref, const kms_crypt_params& params, const Bytes& in, Bytes& out,
               kms_error& error, const Opened& hsm = shared()) {
  return twoCall([&](std::uint8_t* o, std::uint64_t* l,
                     kms_error* e) { return fn(hsm.get(), &ref, &params, in.data(), in.size(), o, l, e); },
                 out, error);
}

Bytes exportRaw(const kms_key_ref& ref) {
  Bytes out;
  auto error = newError();
  REQUIRE(
      twoCall([&](std::uint8_t* o, std::uint64_t* l,
                  kms_error* e) { return shared().table()->export_key(shared().get(), &ref, KMS_FORMAT_RAW, o, l, e); },
              out, error) == KMS_OK);
  return out;
}

Bytes exportSpki(const kms_key_ref& ref) {
  Bytes out;
  auto error = newError();
  REQUIRE(twoCall(
              [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                return shared().table()->export_key(shared().get(), &ref, KMS_FORMAT_SPKI, o, l, e);
              },
              out, error) == KMS_OK);
  return out;
}

const std::string& rsaLabel() {
  static const std::string label = [] {
    auto l = uniqueLabel("rsa-crypto");
    generate(slotA(), KMS_KEY_RSA_PRIVATE, 2048, l, KMS_KEY_SENSITIVE);
    return l;
  }();
  return label;
}

}  // namespace

TEST_CASE("AES-GCM round trip, and the token's ciphertext equals OpenSSL's") {
  const auto* t = shared().table();
  for (const std::uint32_t bits : {128U, 256U}) {
    const auto label = uniqueLabel("gcm");
    generate(slotA(), KMS_KEY_AES, bits, label, KMS_KEY_EXTRACTABLE);  // extractable: for the reference
    const auto ref = labelRef(slotA(), label.c_str());
    const Bytes iv = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const Bytes aad = {'h', 'e', 'a', 'd', 'e', 'r'};
    const Bytes plaintext(100, 0x5a);
    const auto params = gcmParams(iv, aad);
    Bytes ciphertext;
    auto error = newError();
    REQUIRE(run(t->encrypt, ref, params, plaintext, ciphertext, error) == KMS_OK);
    CHECK(ciphertext == opensslGcmEncrypt(exportRaw(ref), iv, aad, plaintext));
    Bytes decrypted;
    REQUIRE(run(t->decrypt, ref, params, ciphertext, decrypted, error) == KMS_OK);
    CHECK(decrypted == plaintext);
    ciphertext[3] ^= 1;
    CHECK(run(t->decrypt, ref, params, ciphertext, decrypted, error) == KMS_ERR_DEVICE_ERROR);
    CHECK(std::string(error.message).find("C_Decrypt failed: CKR_") != std::string::npos);
  }
}

TEST_CASE("two-call convention: NULL gives the length, a short buffer BUFFER_TOO_SMALL") {
  const auto* t = shared().table();
  const auto label = uniqueLabel("gcm-len");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotA(), label.c_str());
  const Bytes iv(12, 1);
  const auto params = gcmParams(iv);
  const Bytes plaintext(40, 3);
  std::uint64_t length = 0;
  auto error = newError();
  REQUIRE(t->encrypt(shared().get(), &ref, &params, plaintext.data(), plaintext.size(), nullptr, &length, &error) ==
          KMS_OK);
  CHECK(length == 56);
  Bytes small(10);
  length = small.size();
  CHECK(t->encrypt(shared().get(), &ref, &params, plaintext.data(), plaintext.size(), small.data(), &length, &error) ==
        KMS_ERR_BUFFER_TOO_SMALL);
  CHECK(error.status == KMS_ERR_BUFFER_TOO_SMALL);
  CHECK(length == 56);
  Bytes exact(length);
  CHECK(t->encrypt(shared().get(), &ref, &params, plaintext.data(), plaintext.size(), exact.data(), &length, &error) ==
        KMS_OK);
  CHECK(length == 56);
}

TEST_CASE("RSA-OAEP with SHA-1 round trips, and decrypts what OpenSSL encrypted") {
  const auto* t = shared().table();
  const auto privateRef = labelRef(slotA(), rsaLabel().c_str());
  const auto params = rsaParams(KMS_ALG_RSA_OAEP, KMS_HASH_SHA1);
  const Bytes secret(32, 0x42);
  Bytes ciphertext;
  auto error = newError();
  // Named by the private label, encrypt uses the pair's public key.
  REQUIRE_MESSAGE(run(t->encrypt, privateRef, params, secret, ciphertext, error) == KMS_OK, error.message);
  CHECK(ciphertext.size() == 256);
  Bytes plaintext;
  REQUIRE(run(t->decrypt, privateRef, params, ciphertext, plaintext, error) == KMS_OK);
  CHECK(plaintext == secret);

  const auto spki = exportSpki(labelRef(slotA(), (rsaLabel() + "_pk").c_str()));
  const auto fromOpenssl = opensslOaepEncrypt(spki, secret, "SHA1");
  REQUIRE(run(t->decrypt, privateRef, params, fromOpenssl, plaintext, error) == KMS_OK);
  CHECK(plaintext == secret);
}

TEST_CASE("RSA-OAEP with SHA-256 is refused up front with the reason (SoftHSM2 2.6)") {
  const auto* t = shared().table();
  const std::string publicLabel = rsaLabel() + "_pk";
  const auto ref = labelRef(slotA(), publicLabel.c_str());
  const auto params = rsaParams(KMS_ALG_RSA_OAEP, KMS_HASH_SHA256);
  const Bytes secret(32, 0x42);
  Bytes out;
  auto error = newError();
  CHECK(run(t->encrypt, ref, params, secret, out, error) == KMS_ERR_NOT_SUPPORTED);
  CHECK(std::string(error.message) == "RSA-OAEP with SHA-256 is not supported by the token in slot " +
                                          std::to_string(slotA()) + " (SoftHSM2 supports OAEP with SHA-1 only)");
  std::int32_t supported = -1;
  REQUIRE(t->supports(shared().get(), slotA(), KMS_ALG_RSA_OAEP, KMS_HASH_SHA256, &supported, &error) == KMS_OK);
  CHECK(supported == 0);
  REQUIRE(t->supports(shared().get(), slotA(), KMS_ALG_RSA_OAEP, KMS_HASH_SHA1, &supported, &error) == KMS_OK);
  CHECK(supported == 1);
  REQUIRE(t->supports(shared().get(), slotA(), KMS_ALG_AES_GCM, 0, &supported, &error) == KMS_OK);
  CHECK(supported == 1);
  REQUIRE(t->supports(shared().get(), slotA(), KMS_ALG_AES_KEY_WRAP_PAD, 0, &supported, &error) == KMS_OK);
  CHECK(supported == 1);
  REQUIRE(t->supports(shared().get(), slotA(), KMS_ALG_RSA_PSS, KMS_HASH_SHA384, &supported, &error) == KMS_OK);
  CHECK(supported == 1);
  REQUIRE(t->supports(shared().get(), slotA(), 99, 0, &supported, &error) == KMS_OK);
  CHECK(supported == 0);
}

TEST_CASE("RSA PKCS#1 v1.5 encryption round trips") {
  const auto* t = shared().table();
  const auto ref = labelRef(slotA(), rsaLabel().c_str());
  const auto params = rsaParams(KMS_ALG_RSA_PKCS1, 0);
  const Bytes secret = {9, 8, 7, 6, 5};
  Bytes ciphertext;
  Bytes plaintext;
  auto error = newError();
  REQUIRE(run(t->encrypt, ref, params, secret, ciphertext, error) == KMS_OK);
  REQUIRE(run(t->decrypt, ref, params, ciphertext, plaintext, error) == KMS_OK);
  CHECK(plaintext == secret);
}

TEST_CASE("PKCS#1 v1.5 and PSS signatures verify with OpenSSL") {
  const auto* t = shared().table();
  const auto ref = labelRef(slotA(), rsaLabel().c_str());
  const auto spki = exportSpki(labelRef(slotA(), (rsaLabel() + "_pk").c_str()));
  const Bytes message = {'s', 'i', 'g', 'n', ' ', 'm', 'e'};
  struct Case {
    std::int32_t algorithm;
    std::int32_t hash;
    const char* digest;
  };
  for (const auto& c :
       {Case{KMS_ALG_RSA_PKCS1_SIGN, KMS_HASH_SHA256, "SHA256"},
        Case{KMS_ALG_RSA_PKCS1_SIGN, KMS_HASH_SHA512, "SHA512"}, Case{KMS_ALG_RSA_PSS, KMS_HASH_SHA256, "SHA256"},
        Case{KMS_ALG_RSA_PSS, KMS_HASH_SHA384, "SHA384"}}) {
    const auto params = rsaParams(c.algorithm, c.hash);
    Bytes signature;
    auto error = newError();
    REQUIRE_MESSAGE(twoCall(
                        [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                          return t->sign(shared().get(), &ref, &params, message.data(), message.size(), o, l, e);
                        },
                        signature, error) == KMS_OK,
                    error.message);
    CHECK(signature.size() == 256);
    CHECK(opensslVerify(spki, message, signature, c.algorithm == KMS_ALG_RSA_PSS, c.digest));
  }
  // AES-GCM is no signature algorithm.
  const Bytes iv(12, 0);
  const auto params = gcmParams(iv);
  std::uint64_t length = 0;
  auto error = newError();
  CHECK(t->sign(shared().get(), &ref, &params, message.data(), message.size(), nullptr, &length, &error) ==
        KMS_ERR_NOT_SUPPORTED);
}

TEST_CASE("wrap and unwrap host key bytes: AES key wrap with padding equals OpenSSL's RFC 5649") {
  const auto* t = shared().table();
  const auto label = uniqueLabel("kek");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_EXTRACTABLE);
  const auto ref = labelRef(slotA(), label.c_str());
  kms_crypt_params params{};
  params.struct_size = sizeof params;
  params.algorithm = KMS_ALG_AES_KEY_WRAP_PAD;
  for (const std::size_t size : {16UL, 24UL, 32UL, 40UL}) {
    Bytes hostKey(size);
    for (std::size_t i = 0; i < size; ++i) hostKey[i] = static_cast<std::uint8_t>(i * 7 + 1);
    Bytes wrapped;
    auto error = newError();
    REQUIRE_MESSAGE(run(t->wrap, ref, params, hostKey, wrapped, error) == KMS_OK, error.message);
    const auto expected = opensslAesWrapPad(exportRaw(ref), hostKey);
    CHECK(wrapped == expected);
    Bytes unwrapped;
    REQUIRE_MESSAGE(run(t->unwrap, ref, params, wrapped, unwrapped, error) == KMS_OK, error.message);
    CHECK(unwrapped == hostKey);
    wrapped[0] ^= 1;
    CHECK(run(t->unwrap, ref, params, wrapped, unwrapped, error) == KMS_ERR_DEVICE_ERROR);
  }
  // SoftHSM2 unwraps any RFC 5649 length correctly ...
  const Bytes odd(20, 0x2b);
  Bytes unwrapped;
  auto error = newError();
  REQUIRE(run(t->unwrap, ref, params, opensslAesWrapPad(exportRaw(ref), odd), unwrapped, error) == KMS_OK);
  CHECK(unwrapped == odd);
  // ... but its C_WrapKey zero-pads partial blocks: refused (quirk kwp_whole_blocks_only).
  Bytes wrapped;
  CHECK(run(t->wrap, ref, params, odd, wrapped, error) == KMS_ERR_NOT_SUPPORTED);
  CHECK(std::string(error.message).find("wraps whole 8-byte blocks only") != std::string::npos);
}

TEST_CASE("wrap and unwrap host key bytes with RSA-OAEP and AES-GCM") {
  const auto* t = shared().table();
  const Bytes hostKey(32, 0x77);
  auto error = newError();
  {
    const auto ref = labelRef(slotA(), rsaLabel().c_str());
    const auto params = rsaParams(KMS_ALG_RSA_OAEP, KMS_HASH_SHA1);
    Bytes wrapped;
    Bytes unwrapped;
    REQUIRE(run(t->wrap, ref, params, hostKey, wrapped, error) == KMS_OK);
    REQUIRE(run(t->unwrap, ref, params, wrapped, unwrapped, error) == KMS_OK);
    CHECK(unwrapped == hostKey);
  }
  {
    const auto label = uniqueLabel("gcm-kek");
    generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
    const auto ref = labelRef(slotA(), label.c_str());
    const Bytes iv(12, 9);
    const auto params = gcmParams(iv);
    Bytes wrapped;
    Bytes unwrapped;
    REQUIRE(run(t->wrap, ref, params, hostKey, wrapped, error) == KMS_OK);
    REQUIRE(run(t->unwrap, ref, params, wrapped, unwrapped, error) == KMS_OK);
    CHECK(unwrapped == hostKey);
  }
}

TEST_CASE("random bytes come from the token") {
  Bytes first(48);
  Bytes second(48);
  auto error = newError();
  REQUIRE(shared().table()->random(shared().get(), slotA(), first.data(), first.size(), &error) == KMS_OK);
  REQUIRE(shared().table()->random(shared().get(), slotA(), second.data(), second.size(), &error) == KMS_OK);
  CHECK(first != second);
  CHECK(first != Bytes(48, 0));
  CHECK(shared().table()->random(shared().get(), 424242, first.data(), first.size(), &error) == KMS_ERR_NOT_FOUND);
}
