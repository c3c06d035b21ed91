// Key management through the ABI: generate, find (label, id, "<label>_pk"), list, export rules,
// destroy, and a slot without login.
#include <doctest/doctest.h>

#include <string>

#include "TestSupport.hpp"

using namespace kms::test;

namespace {

kms_status findKey(const kms_key_ref& ref, kms_key_info& info, kms_error& error) {
  info = kms_key_info{};
  info.struct_size = sizeof info;
  return shared().table()->find_key(shared().get(), &ref, &info, &error);
}

kms_status exportKey(const kms_key_ref& ref, std::int32_t format, Bytes& out, kms_error& error) {
  return twoCall([&](std::uint8_t* o, std::uint64_t* l,
                     kms_error* e) { return shared().table()->export_key(shared().get(), &ref, format, o, l, e); },
                 out, error);
}

}  // namespace

TEST_CASE("AES keys of 128, 192 and 256 bits are generated and found by label and by id") {
  for (const std::uint32_t bits : {128U, 192U, 256U}) {
    const auto label = uniqueLabel("aes");
    const Bytes id = {0xA0, static_cast<std::uint8_t>(bits / 8), 0x01};
    const auto created = generate(slotA(), KMS_KEY_AES, bits, label, KMS_KEY_SENSITIVE, id);
    CHECK(created.key_type == KMS_KEY_AES);
    CHECK(created.bits == bits);
    kms_key_info info{};
    auto error = newError();
    REQUIRE(findKey(labelRef(slotA(), label.c_str()), info, error) == KMS_OK);
    CHECK(info.key_type == KMS_KEY_AES);
    CHECK(info.bits == bits);
    CHECK(info.flags == KMS_KEY_SENSITIVE);
    CHECK(info.usage == (KMS_USE_ENCRYPT | KMS_USE_DECRYPT | KMS_USE_WRAP | KMS_USE_UNWRAP));
    CHECK(std::string(info.label) == label);
    CHECK(Bytes(info.id, info.id + info.id_length) == id);
    REQUIRE(findKey(idRef(slotA(), id), info, error) == KMS_OK);
    CHECK(std::string(info.label) == label);
  }
  auto error = newError();
  kms_key_info info{};
  CHECK(findKey(labelRef(slotA(), "no-such-key"), info, error) == KMS_ERR_NOT_FOUND);
  CHECK(std::string(error.message) == "key 'no-such-key' not found in slot " + std::to_string(slotA()));
  // Keys live per slot.
  CHECK(findKey(labelRef(slotB(), "aes-1"), info, error) == KMS_ERR_NOT_FOUND);
}

TEST_CASE("generate refuses a taken label and bad sizes") {
  const auto label = uniqueLabel("dup");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  kms_generate_request request{};
  request.struct_size = sizeof request;
  request.key_type = KMS_KEY_AES;
  request.slot_id = slotA();
  request.label = label.c_str();
  request.bits = 256;
  auto error = newError();
  CHECK(shared().table()->generate_key(shared().get(), &request, nullptr, &error) == KMS_ERR_ALREADY_EXISTS);
  request.label = "fresh-label";
  request.bits = 100;
  CHECK(shared().table()->generate_key(shared().get(), &request, nullptr, &error) == KMS_ERR_INVALID_ARGUMENT);
  request.key_type = KMS_KEY_RSA_PRIVATE;
  request.bits = 1024;
  CHECK(shared().table()->generate_key(shared().get(), &request, nullptr, &error) == KMS_ERR_INVALID_ARGUMENT);
}

TEST_CASE("an RSA pair: private L and public L_pk with one CKA_ID; the public key always exports") {
  const auto label = uniqueLabel("rsa");
  const auto created = generate(slotA(), KMS_KEY_RSA_PRIVATE, 2048, label, KMS_KEY_SENSITIVE);
  CHECK(created.id_length > 0);
  kms_key_info info{};
  auto error = newError();
  REQUIRE(findKey(labelRef(slotA(), label.c_str()), info, error) == KMS_OK);
  CHECK(info.key_type == KMS_KEY_RSA_PRIVATE);
  CHECK(info.bits == 2048);
  CHECK((info.flags & KMS_KEY_SENSITIVE) != 0);
  const auto publicLabel = label + "_pk";
  REQUIRE(findKey(labelRef(slotA(), publicLabel.c_str()), info, error) == KMS_OK);
  CHECK(info.key_type == KMS_KEY_RSA_PUBLIC);
  CHECK(info.bits == 2048);
  CHECK(Bytes(info.id, info.id + info.id_length) == Bytes(created.id, created.id + created.id_length));

  Bytes spki;
  Bytes pkcs1;
  REQUIRE(exportKey(labelRef(slotA(), publicLabel.c_str()), KMS_FORMAT_SPKI, spki, error) == KMS_OK);
  REQUIRE(exportKey(labelRef(slotA(), publicLabel.c_str()), KMS_FORMAT_PKCS1, pkcs1, error) == KMS_OK);
  const auto modulus = opensslModulusHex(spki, false);
  CHECK(modulus.size() == 512);
  CHECK(opensslModulusHex(pkcs1, false) == modulus);
  // The public part of the private key, by its own label, exports too.
  Bytes fromPrivate;
  REQUIRE(exportKey(labelRef(slotA(), label.c_str()), KMS_FORMAT_SPKI, fromPrivate, error) == KMS_OK);
  CHECK(fromPrivate == spki);

  Bytes secret;
  CHECK(exportKey(labelRef(slotA(), label.c_str()), KMS_FORMAT_PKCS8, secret, error) == KMS_ERR_PERMISSION_DENIED);
  CHECK(std::string(error.message).find("is sensitive") != std::string::npos);
}

TEST_CASE("non-sensitive extractable keys export their secret; sensitive ones never") {
  auto error = newError();
  const auto aes = uniqueLabel("aes-open");
  generate(slotA(), KMS_KEY_AES, 256, aes, KMS_KEY_EXTRACTABLE);
  Bytes raw;
  REQUIRE(exportKey(labelRef(slotA(), aes.c_str()), KMS_FORMAT_RAW, raw, error) == KMS_OK);
  CHECK(raw.size() == 32);
  CHECK(exportKey(labelRef(slotA(), aes.c_str()), KMS_FORMAT_PKCS8, raw, error) == KMS_ERR_INVALID_ARGUMENT);

  const auto closed = uniqueLabel("aes-closed");
  generate(slotA(), KMS_KEY_AES, 256, closed, KMS_KEY_SENSITIVE | KMS_KEY_EXTRACTABLE);
  CHECK(exportKey(labelRef(slotA(), closed.c_str()), KMS_FORMAT_RAW, raw, error) == KMS_ERR_PERMISSION_DENIED);
  CHECK(std::string(error.message).find("is sensitive") != std::string::npos);

  const auto stuck = uniqueLabel("aes-stuck");
  generate(slotA(), KMS_KEY_AES, 128, stuck, 0);
  CHECK(exportKey(labelRef(slotA(), stuck.c_str()), KMS_FORMAT_RAW, raw, error) == KMS_ERR_PERMISSION_DENIED);
  CHECK(std::string(error.message).find("not extractable") != std::string::npos);

  const auto rsa = uniqueLabel("rsa-open");
  generate(slotA(), KMS_KEY_RSA_PRIVATE, 2048, rsa, KMS_KEY_EXTRACTABLE);
  Bytes pkcs8;
  Bytes pkcs1;
  Bytes spki;
  REQUIRE(exportKey(labelRef(slotA(), rsa.c_str()), KMS_FORMAT_PKCS8, pkcs8, error) == KMS_OK);
  REQUIRE(exportKey(labelRef(slotA(), rsa.c_str()), KMS_FORMAT_PKCS1, pkcs1, error) == KMS_OK);
  REQUIRE(exportKey(labelRef(slotA(), (rsa + "_pk").c_str()), KMS_FORMAT_SPKI, spki, error) == KMS_OK);
  CHECK(opensslModulusHex(pkcs8, true) == opensslModulusHex(spki, false));
  CHECK(opensslModulusHex(pkcs1, true) == opensslModulusHex(spki, false));
}

TEST_CASE("list_keys visits every key of the slot and stops when asked") {
  const auto label = uniqueLabel("listed");
  generate(slotB(), KMS_KEY_AES, 128, label, KMS_KEY_SENSITIVE);
  struct Seen {
    int count = 0;
    bool found = false;
    std::string label;
  } seen;
  seen.label = label;
  auto visit = [](void* context, const kms_key_info* key) -> std::int32_t {
    auto* s = static_cast<Seen*>(context);
    ++s->count;
    if (s->label == key->label) s->found = true;
    return 0;
  };
  auto error = newError();
  REQUIRE(shared().table()->list_keys(shared().get(), slotB(), visit, &seen, &error) == KMS_OK);
  CHECK(seen.found);
  CHECK(seen.count >= 1);
  Seen first;
  auto stop = [](void* context, const kms_key_info*) -> std::int32_t {
    ++static_cast<Seen*>(context)->count;
    return 1;
  };
  generate(slotB(), KMS_KEY_AES, 128, uniqueLabel("listed"), KMS_KEY_SENSITIVE);
  REQUIRE(shared().table()->list_keys(shared().get(), slotB(), stop, &first, &error) == KMS_OK);
  CHECK(first.count == 1);
}

TEST_CASE("destroy removes the key and invalidates the handle cache") {
  const auto label = uniqueLabel("doomed");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotA(), label.c_str());
  kms_key_info info{};
  auto error = newError();
  REQUIRE(findKey(ref, info, error) == KMS_OK);  // now cached
  REQUIRE(shared().table()->destroy_key(shared().get(), &ref, &error) == KMS_OK);
  CHECK(findKey(ref, info, error) == KMS_ERR_NOT_FOUND);
  CHECK(shared().table()->destroy_key(shared().get(), &ref, &error) == KMS_ERR_NOT_FOUND);
  // The label is free again, and the new key (a new handle) is the one found.
  generate(slotA(), KMS_KEY_AES, 128, label, KMS_KEY_SENSITIVE);
  REQUIRE(findKey(ref, info, error) == KMS_OK);
  CHECK(info.bits == 128);

  // By id an RSA pair goes as a whole.
  const auto pair = uniqueLabel("doomed-pair");
  const Bytes id = {0xD0, 0x0D};
  generate(slotA(), KMS_KEY_RSA_PRIVATE, 2048, pair, KMS_KEY_SENSITIVE, id);
  const auto byId = idRef(slotA(), id);
  REQUIRE(shared().table()->destroy_key(shared().get(), &byId, &error) == KMS_OK);
  CHECK(findKey(labelRef(slotA(), pair.c_str()), info, error) == KMS_ERR_NOT_FOUND);
  CHECK(findKey(labelRef(slotA(), (pair + "_pk").c_str()), info, error) == KMS_ERR_NOT_FOUND);
}

TEST_CASE("a <NO_LOGIN> slot works with public objects only") {
  // PKCS#11 login state is per token and process: the guest uses token D, on which this
  // process never logs in (its wrong-PIN and NULL-PIN logins fail).
  (void)shared();
  Opened guest(softhsm2Plugin().table(), {{Tokens::get().slots[3], KMS_LOGIN_NONE, ""}});
  REQUIRE_MESSAGE(guest.status() == KMS_OK, guest.error().message);
  std::int32_t accessible = 0;
  auto error = newError();
  REQUIRE(guest.table()->slot_status(guest.get(), Tokens::get().slots[3], &accessible, nullptr, 0, &error) == KMS_OK);
  CHECK(accessible == 1);
  // Keys made without login are public objects (CKA_PRIVATE false) and usable without login.
  kms_generate_request request{};
  request.struct_size = sizeof request;
  request.key_type = KMS_KEY_AES;
  request.slot_id = Tokens::get().slots[3];
  const auto label = uniqueLabel("public-aes");
  request.label = label.c_str();
  request.bits = 256;
  request.flags = KMS_KEY_SENSITIVE;
  REQUIRE_MESSAGE(guest.table()->generate_key(guest.get(), &request, nullptr, &error) == KMS_OK, error.message);
  const Bytes iv(12, 7);
  const Bytes plaintext = {1, 2, 3};
  const auto params = gcmParams(iv);
  const auto ref = labelRef(Tokens::get().slots[3], label.c_str());
  Bytes ciphertext;
  REQUIRE(twoCall(
              [&](std::uint8_t* o, std::uint64_t* l, kms_error* e) {
                return guest.table()->encrypt(guest.get(), &ref, &params, plaintext.data(), plaintext.size(), o, l, e);
              },
              ciphertext, error) == KMS_OK);
  CHECK(ciphertext.size() == plaintext.size() + 16);
}
