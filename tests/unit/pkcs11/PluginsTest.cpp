// Every model's plugin, end to end against SoftHSM2's library (library path overridden), so
// that its defaults and quirk handling run against a real token.
#include <doctest/doctest.h>

#include <string>

#include "TestSupport.hpp"

using namespace kms::test;

namespace {

struct Model {
  const char* path;
  const char* model;
  const char* defaultLibrary;
  const char* envVar;
};

const Model kModels[] = {
    {KMS_PLUGIN_PROTECCIO, "proteccio", "/lib/libnethsm.so", "PROTECCIO_PKCS11_LIB"},
    {KMS_PLUGIN_UTIMACO, "utimaco", "/lib/libcs_pkcs11_R3.so", "UTIMACO_PKCS11_LIB"},
    {KMS_PLUGIN_SMARTCARDHSM, "smartcardhsm", "/usr/local/lib/libsc-hsm-pkcs11.so", "SMARTCARDHSM_PKCS11_LIB"},
    {KMS_PLUGIN_SOFTHSM2, "softhsm2", "/usr/lib/softhsm/libsofthsm2.so", "SOFTHSM2_PKCS11_LIB"},
    {KMS_PLUGIN_CRYPT2PAY, "crypt2pay", "/lib/libpkcs11c2p.so", "CRYPT2PAY_PKCS11_LIB"},
    {KMS_PLUGIN_GENERIC, "other", nullptr, "OTHER_PKCS11_LIB"},
};

}  // namespace

TEST_CASE("every plugin loads, describes its model and serves SoftHSM2 through its env variable") {
  (void)shared();  // the softhsm2 plugin initialised the library first and keeps it
  const Bytes iv(12, 2);
  const Bytes plaintext(32, 0x33);
  for (const auto& m : kModels) {
    CAPTURE(m.model);
    Plugin plugin(m.path);
    const auto* info = plugin.table()->info;
    CHECK(std::string(info->model) == m.model);
    if (m.defaultLibrary == nullptr) {
      CHECK(info->default_library == nullptr);
    } else {
      CHECK(std::string(info->default_library) == m.defaultLibrary);
    }
    setenv(m.envVar, kSoftHsmLibrary, 1);
    {
      Opened opened(plugin.table(), {{slotB()}});
      unsetenv(m.envVar);
      REQUIRE_MESSAGE(opened.status() == KMS_OK, opened.error().message);
      kms_generate_request request{};
      request.struct_size = sizeof request;
      request.key_type = KMS_KEY_AES;
      request.slot_id = slotB();
      const auto label = uniqueLabel(m.model);
      request.label = label.c_str();
      request.bits = 256;
      request.flags = KMS_KEY_SENSITIVE;
      auto error = newError();
      REQUIRE(plugin.table()->generate_key(opened.get(), &request, nullptr, &error) == KMS_OK);
      const auto ref = labelRef(slotB(), label.c_str());
      const auto params = gcmParams(iv);
      Bytes ciphertext(48);
      std::uint64_t length = ciphertext.size();
      REQUIRE(plugin.table()->encrypt(opened.get(), &ref, &params, plaintext.data(), plaintext.size(),
                                      ciphertext.data(), &length, &error) == KMS_OK);
      Bytes decrypted(32);
      length = decrypted.size();
      REQUIRE(plugin.table()->decrypt(opened.get(), &ref, &params, ciphertext.data(), ciphertext.size(),
                                      decrypted.data(), &length, &error) == KMS_OK);
      CHECK(decrypted == plaintext);
      REQUIRE(plugin.table()->destroy_key(opened.get(), &ref, &error) == KMS_OK);
    }
  }
}

TEST_CASE("smartcardhsm: inputs above max_data_chunk (1024) go through C_*Update, or are refused") {
  (void)shared();
  Plugin plugin(KMS_PLUGIN_SMARTCARDHSM);
  Opened card(plugin.table(), {{slotB()}}, {}, kSoftHsmLibrary);
  REQUIRE_MESSAGE(card.status() == KMS_OK, card.error().message);
  const auto label = uniqueLabel("chunked");
  generate(slotB(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotB(), label.c_str());
  const Bytes iv(12, 5);
  const auto params = gcmParams(iv);
  Bytes plaintext(3000);
  for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::uint8_t>(i);
  auto error = newError();
  Bytes chunked;
  REQUIRE_MESSAGE(twoCall(
                      [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                        return plugin.table()->encrypt(card.get(), &ref, &params, plaintext.data(), plaintext.size(), o,
                                                       l, e);
                      },
                      chunked, error) == KMS_OK,
                  error.message);
  // The same bytes as one single-part C_Encrypt through the softhsm2 driver.
  Bytes whole;
  REQUIRE(twoCall(
              [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                return shared().table()->encrypt(shared().get(), &ref, &params, plaintext.data(), plaintext.size(), o,
                                                 l, e);
              },
              whole, error) == KMS_OK);
  CHECK(chunked == whole);
  Bytes decrypted;
  REQUIRE_MESSAGE(twoCall(
                      [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                        return plugin.table()->decrypt(card.get(), &ref, &params, chunked.data(), chunked.size(), o, l,
                                                       e);
                      },
                      decrypted, error) == KMS_OK,
                  error.message);
  CHECK(decrypted == plaintext);
  Bytes random(2500);
  REQUIRE(plugin.table()->random(card.get(), slotB(), random.data(), random.size(), &error) == KMS_OK);

  // A single-part mechanism cannot be split: refused with the reason.
  Opened tiny(plugin.table(), {{slotB()}}, {{"max_data_chunk", "16"}}, kSoftHsmLibrary);
  REQUIRE(tiny.status() == KMS_OK);
  const auto rsa = uniqueLabel("rsa-chunk");
  generate(slotB(), KMS_KEY_RSA_PRIVATE, 2048, rsa, KMS_KEY_SENSITIVE);
  const auto rsaRef = labelRef(slotB(), rsa.c_str());
  const auto oaep = rsaParams(KMS_ALG_RSA_OAEP, KMS_HASH_SHA1);
  Bytes out(256);
  std::uint64_t length = out.size();
  CHECK(plugin.table()->encrypt(tiny.get(), &rsaRef, &oaep, plaintext.data(), 32, out.data(), &length, &error) ==
        KMS_ERR_INVALID_ARGUMENT);
  CHECK(std::string(error.message).find("exceeds max_data_chunk (16)") != std::string::npos);
}

TEST_CASE("proteccio: never_finalize keeps the library initialised across close and reopen") {
  (void)shared();
  Plugin plugin(KMS_PLUGIN_PROTECCIO);
  for (int round = 0; round < 2; ++round) {
    Opened opened(plugin.table(), {{slotB()}}, {}, kSoftHsmLibrary);
    REQUIRE_MESSAGE(opened.status() == KMS_OK, opened.error().message);
    std::int32_t accessible = 0;
    auto error = newError();
    REQUIRE(plugin.table()->slot_status(opened.get(), slotB(), &accessible, nullptr, 0, &error) == KMS_OK);
    CHECK(accessible == 1);
  }
}
