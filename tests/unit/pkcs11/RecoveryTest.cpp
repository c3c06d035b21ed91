// Recovery from what happens behind the engine's back, provoked through a second dlopen of the
// same SoftHSM2 library (same process, same library state): all sessions closed, a logout, an
// object destroyed. Plus call tracing and concurrent use of a small session pool.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "TestSupport.hpp"
#include "kms/pkcs11/Pkcs11.hpp"

using namespace kms::test;

namespace {

// The library the plugin already loaded and initialised; dlopen returns the same instance.
CK_FUNCTION_LIST* softhsm() {
  static CK_FUNCTION_LIST* functions = [] {
    void* handle = dlopen(kSoftHsmLibrary, RTLD_NOW | RTLD_LOCAL);
    REQUIRE((handle != nullptr));
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST* list = nullptr;
    REQUIRE(get(&list) == CKR_OK);
    return list;
  }();
  return functions;
}

kms_status gcmRoundTrip(const Opened& hsm, const kms_key_ref& ref, kms_error& error) {
  const Bytes iv(12, 4);
  const auto params = gcmParams(iv);
  const Bytes plaintext(64, 1);
  Bytes ciphertext(80);
  std::uint64_t length = ciphertext.size();
  kms_status status = hsm.table()->encrypt(hsm.get(), &ref, &params, plaintext.data(), plaintext.size(),
                                           ciphertext.data(), &length, &error);
  if (status != KMS_OK) return status;
  Bytes decrypted(64);
  length = decrypted.size();
  status = hsm.table()->decrypt(hsm.get(), &ref, &params, ciphertext.data(), ciphertext.size(), decrypted.data(),
                                &length, &error);
  if (status == KMS_OK && decrypted != plaintext) return KMS_ERR_INTERNAL;
  return status;
}

}  // namespace

TEST_CASE("sessions closed behind the engine's back: the next call recovers") {
  const auto label = uniqueLabel("recover");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotA(), label.c_str());
  auto error = newError();
  REQUIRE(gcmRoundTrip(shared(), ref, error) == KMS_OK);

  // Kills every session of the slot and, with the last one, the login.
  REQUIRE(softhsm()->C_CloseAllSessions(slotA()) == CKR_OK);
  CHECK_MESSAGE(gcmRoundTrip(shared(), ref, error) == KMS_OK, error.message);
  CHECK(logSink().contains("CKR_SESSION_HANDLE_INVALID"));
  CHECK(logSink().contains("logging in again"));

  // A logout behind our back: CKR_USER_NOT_LOGGED_IN, then a new login.
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  REQUIRE(softhsm()->C_OpenSession(slotA(), CKF_SERIAL_SESSION, nullptr, nullptr, &session) == CKR_OK);
  REQUIRE(softhsm()->C_Logout(session) == CKR_OK);
  CHECK_MESSAGE(gcmRoundTrip(shared(), ref, error) == KMS_OK, error.message);
  softhsm()->C_CloseSession(session);
  CHECK_FALSE(logSink().contains(kPin));
}

TEST_CASE("a key destroyed behind the engine's back is NOT_FOUND, not a stale-handle error") {
  const auto label = uniqueLabel("vanishing");
  generate(slotA(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotA(), label.c_str());
  auto error = newError();
  REQUIRE(gcmRoundTrip(shared(), ref, error) == KMS_OK);  // handle cached

  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  REQUIRE(softhsm()->C_OpenSession(slotA(), CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session) == CKR_OK);
  CK_ATTRIBUTE match[] = {{CKA_LABEL, const_cast<char*>(label.data()), label.size()}};
  REQUIRE(softhsm()->C_FindObjectsInit(session, match, 1) == CKR_OK);
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CK_ULONG count = 0;
  REQUIRE(softhsm()->C_FindObjects(session, &object, 1, &count) == CKR_OK);
  softhsm()->C_FindObjectsFinal(session);
  REQUIRE(count == 1);
  REQUIRE(softhsm()->C_DestroyObject(session, object) == CKR_OK);
  softhsm()->C_CloseSession(session);

  CHECK(gcmRoundTrip(shared(), ref, error) == KMS_ERR_NOT_FOUND);
  CHECK(std::string(error.message).find("not found") != std::string::npos);
}

TEST_CASE("the trace setting logs each PKCS#11 call with its return code and duration, no arguments") {
  (void)shared();
  Opened traced(softhsm2Plugin().table(), {{slotA()}}, {{"trace", "true"}});
  REQUIRE_MESSAGE(traced.status() == KMS_OK, traced.error().message);
  const auto label = uniqueLabel("traced");
  generate(slotA(), KMS_KEY_AES, 128, label, KMS_KEY_SENSITIVE);
  auto error = newError();
  REQUIRE(gcmRoundTrip(traced, labelRef(slotA(), label.c_str()), error) == KMS_OK);
  bool sawEncrypt = false;
  bool sawOpen = false;
  for (const auto& [level, line] : logSink().lines) {
    if (line.rfind("pkcs11: C_Encrypt -> CKR_OK in ", 0) == 0) {
      CHECK(level == KMS_LOG_TRACE);
      sawEncrypt = true;
    }
    if (line.rfind("pkcs11: C_OpenSession -> CKR_OK", 0) == 0) sawOpen = true;
  }
  CHECK(sawEncrypt);
  CHECK(sawOpen);
  CHECK_FALSE(logSink().contains(kPin));
}

TEST_CASE("concurrent callers share a bounded session pool") {
  (void)shared();
  Opened pooled(softhsm2Plugin().table(), {{slotB()}}, {{"session_pool_size", "2"}});
  REQUIRE(pooled.status() == KMS_OK);
  const auto label = uniqueLabel("pooled");
  generate(slotB(), KMS_KEY_AES, 256, label, KMS_KEY_SENSITIVE);
  const auto ref = labelRef(slotB(), label.c_str());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        auto error = newError();
        if (gcmRoundTrip(pooled, ref, error) != KMS_OK) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
}
