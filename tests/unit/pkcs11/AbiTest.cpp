// The C ABI as kmsd sees it: the single exported symbol, version negotiation, the info block,
// and open's refusals (missing library, unknown setting, missing library for the generic driver).
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "TestSupport.hpp"

using namespace kms::test;

TEST_CASE("kms_driver_get refuses another ABI major and serves any 1.x minor") {
  auto get = reinterpret_cast<kms_driver_get_fn>(dlsym(softhsm2Plugin().handle(), KMS_DRIVER_ENTRY_SYMBOL));
  REQUIRE((get != nullptr));
  const kms_driver_v1* table = reinterpret_cast<const kms_driver_v1*>(0x1);
  CHECK(get(2, 0, &table) == KMS_ERR_NOT_SUPPORTED);
  CHECK((table == nullptr));
  CHECK(get(0, 9, &table) == KMS_ERR_NOT_SUPPORTED);
  CHECK(get(1, 7, &table) == KMS_OK);
  REQUIRE((table != nullptr));
  CHECK(table->struct_size == sizeof(kms_driver_v1));
  CHECK(table->abi_major == KMS_DRIVER_ABI_MAJOR);
  CHECK(table->info->struct_size == sizeof(kms_driver_info));
  CHECK(std::string(table->info->model) == "softhsm2");
  CHECK(std::string(table->info->default_library) == "/usr/lib/softhsm/libsofthsm2.so");
  CHECK(table->info->thread_model == KMS_THREAD_SAFE);
  CHECK((table->info->capabilities & KMS_CAP_RSA_OAEP_SHA1) != 0);
  CHECK((table->info->capabilities & KMS_CAP_RSA_OAEP_SHA256) == 0);
  // Every function of 1.0 is implemented.
  CHECK((table->open != nullptr));
  CHECK((table->close != nullptr));
  CHECK((table->slot_status != nullptr));
  CHECK((table->generate_key != nullptr));
  CHECK((table->find_key != nullptr));
  CHECK((table->list_keys != nullptr));
  CHECK((table->export_key != nullptr));
  CHECK((table->destroy_key != nullptr));
  CHECK((table->encrypt != nullptr));
  CHECK((table->decrypt != nullptr));
  CHECK((table->wrap != nullptr));
  CHECK((table->unwrap != nullptr));
  CHECK((table->sign != nullptr));
  CHECK((table->random != nullptr));
  CHECK((table->supports != nullptr));
  // Nothing but the entry point is exported (driver.map); a hidden engine symbol stays hidden.
  CHECK(dlsym(softhsm2Plugin().handle(), "C_GetFunctionList") == nullptr);
}

TEST_CASE("open refuses a missing library, naming it") {
  Opened opened(softhsm2Plugin().table(), {{slotA()}}, {}, "/nonexistent/libpkcs11.so");
  CHECK(opened.status() == KMS_ERR_INVALID_ARGUMENT);
  CHECK(std::string(opened.error().message) == "PKCS#11 library /nonexistent/libpkcs11.so not found");
  CHECK(opened.get() == nullptr);
}

TEST_CASE("open refuses an unknown setting, naming it") {
  Opened opened(softhsm2Plugin().table(), {{slotA()}}, {{"max_data_chunck", "1024"}});
  CHECK(opened.status() == KMS_ERR_INVALID_ARGUMENT);
  CHECK(std::string(opened.error().message).find("unknown setting 'max_data_chunck'") != std::string::npos);
}

TEST_CASE("open refuses a slot that does not exist and an empty slot list") {
  (void)shared();
  Opened missing(softhsm2Plugin().table(), {{987654}});
  CHECK(missing.status() == KMS_ERR_NOT_FOUND);
  CHECK(std::string(missing.error().message).find("slot 987654") != std::string::npos);
  Opened none(softhsm2Plugin().table(), {});
  CHECK(none.status() == KMS_ERR_INVALID_ARGUMENT);
}

TEST_CASE("slot_status probes each configured slot live") {
  const auto& hsm = shared();
  for (std::size_t i = 0; i < 3; ++i) {
    std::int32_t accessible = -1;
    char label[33] = {};
    auto error = newError();
    REQUIRE(hsm.table()->slot_status(hsm.get(), Tokens::get().slots[i], &accessible, label, sizeof label, &error) ==
            KMS_OK);
    CHECK(accessible == 1);
    CHECK(std::string(label) == "unit-" + std::to_string(i));
  }
  std::int32_t accessible = -1;
  auto error = newError();
  CHECK(hsm.table()->slot_status(hsm.get(), Tokens::get().slots[3], &accessible, nullptr, 0, &error) ==
        KMS_ERR_NOT_FOUND);
  CHECK(std::string(error.message).find("not configured") != std::string::npos);
}

TEST_CASE("a wrong PIN is AUTH_FAILED naming the slot, never the PIN") {
  (void)shared();
  const std::string wrongPin = "wrong-pin-4711";
  Opened opened(softhsm2Plugin().table(), {{Tokens::get().slots[3], KMS_LOGIN_USER, wrongPin}});
  CHECK(opened.status() == KMS_ERR_AUTH_FAILED);
  const std::string message = opened.error().message;
  CHECK(message == "C_Login failed: CKR_PIN_INCORRECT on slot " + std::to_string(Tokens::get().slots[3]));
  CHECK(opened.error().vendor_code == 0xa0);
  CHECK(message.find(wrongPin) == std::string::npos);
  CHECK_FALSE(logSink().contains(wrongPin));
  CHECK_FALSE(logSink().contains(kPin));
}

TEST_CASE("a NULL PIN login that the token refuses is AUTH_FAILED") {
  (void)shared();
  // SoftHSM2 has no NULL-PIN login: it answers C_Login(NULL, 0) with CKR_ARGUMENTS_BAD.
  Opened opened(softhsm2Plugin().table(), {{Tokens::get().slots[3], KMS_LOGIN_NULL_PIN, ""}});
  CHECK(opened.status() == KMS_ERR_AUTH_FAILED);
  CHECK(std::string(opened.error().message).find("C_Login with a NULL PIN failed") != std::string::npos);
}

TEST_CASE("the library path comes from open, else <MODEL>_PKCS11_LIB, else the default") {
  (void)shared();
  Plugin generic(KMS_PLUGIN_GENERIC);
  CHECK(std::string(generic.table()->info->model) == "other");
  CHECK((generic.table()->info->default_library == nullptr));
  unsetenv("OTHER_PKCS11_LIB");
  {
    Opened opened(generic.table(), {{slotA()}});
    CHECK(opened.status() == KMS_ERR_INVALID_ARGUMENT);
    CHECK(std::string(opened.error().message).find("OTHER_PKCS11_LIB") != std::string::npos);
  }
  setenv("OTHER_PKCS11_LIB", kSoftHsmLibrary, 1);
  {
    Opened opened(generic.table(), {{slotA()}});
    CHECK_MESSAGE(opened.status() == KMS_OK, opened.error().message);
  }
  {
    // open's library_path wins over the environment.
    Opened opened(generic.table(), {{slotA()}}, {}, "/nonexistent/from-config.so");
    CHECK(std::string(opened.error().message) == "PKCS#11 library /nonexistent/from-config.so not found");
  }
  unsetenv("OTHER_PKCS11_LIB");
}
