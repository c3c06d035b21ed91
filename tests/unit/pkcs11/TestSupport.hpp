#pragma once
// Shared fixtures of the PKCS#11 tests: one SoftHSM2 setup per test process (SoftHSM2 reads
// SOFTHSM2_CONF once, at C_Initialize), driver plugins loaded the way kmsd loads them
// (dlopen + kms_driver_get), a recording host logger, and OpenSSL reference implementations.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kms/driver.h"

namespace kms::test {

using Bytes = std::vector<std::uint8_t>;

constexpr const char* kPin = "12345678";
constexpr const char* kSoftHsmLibrary = "/usr/lib/softhsm/libsofthsm2.so";

// Tokens initialised by tests/support/softhsm.py in a temporary directory, removed at exit.
struct Tokens {
  std::vector<std::uint64_t> slots;  // slot ids, one per token
  std::string directory;
  static const Tokens& get();
};

// A plugin loaded through its only exported symbol.
class Plugin {
 public:
  explicit Plugin(const char* path);
  [[nodiscard]] const kms_driver_v1* table() const { return table_; }
  [[nodiscard]] void* handle() const { return handle_; }

 private:
  void* handle_ = nullptr;
  const kms_driver_v1* table_ = nullptr;
};

const Plugin& softhsm2Plugin();

// Everything the host logged, to check that no PIN ever appears in it.
struct LogSink {
  std::vector<std::pair<int, std::string>> lines;
  bool contains(const std::string& text) const;
};
LogSink& logSink();

struct SlotSpec {
  std::uint64_t slot;
  std::int32_t login = KMS_LOGIN_USER;
  std::string pin = kPin;
};

// An opened instance; closes itself.
class Opened {
 public:
  Opened(const kms_driver_v1* table, std::vector<SlotSpec> slots, std::map<std::string, std::string> settings = {},
         const char* library = nullptr);
  ~Opened();
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;

  [[nodiscard]] kms_instance* get() const { return instance_; }
  [[nodiscard]] kms_status status() const { return status_; }
  [[nodiscard]] const kms_error& error() const { return error_; }
  [[nodiscard]] const kms_driver_v1* table() const { return table_; }

 private:
  const kms_driver_v1* table_;
  kms_instance* instance_ = nullptr;
  kms_status status_ = KMS_OK;
  kms_error error_{};
};

// The softhsm2 instance shared by most tests: every token, logged in.
const Opened& shared();
std::uint64_t slotA();  // tokens()[0]
std::uint64_t slotB();  // tokens()[1]

kms_error newError();
kms_key_ref labelRef(std::uint64_t slot, const char* label);
kms_key_ref idRef(std::uint64_t slot, const Bytes& id);
kms_crypt_params gcmParams(const Bytes& iv, const Bytes& aad = {});
kms_crypt_params rsaParams(std::int32_t algorithm, std::int32_t hash);
// A label unique in this test run.
std::string uniqueLabel(const char* prefix);

// Generates a key on the shared instance; CHECKs success.
kms_key_info generate(std::uint64_t slot, std::int32_t type, std::uint32_t bits, const std::string& label,
                      std::uint32_t flags, const Bytes& id = {});

// Output of a two-call function on the shared instance: call(out, &len, &error).
template <class Fn>
kms_status twoCall(Fn&& fn, Bytes& out, kms_error& error) {
  std::uint64_t length = 0;
  kms_status status = fn(nullptr, &length, &error);
  if (status != KMS_OK) return status;
  out.assign(length, 0);
  status = fn(out.data(), &length, &error);
  if (status == KMS_OK) out.resize(length);
  return status;
}

// OpenSSL references.
Bytes opensslGcmEncrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plaintext);
Bytes opensslAesWrapPad(const Bytes& key, const Bytes& data);
Bytes opensslOaepEncrypt(const Bytes& spki, const Bytes& plaintext, const char* digest);
bool opensslVerify(const Bytes& spki, const Bytes& data, const Bytes& signature, bool pss, const char* digest);
// Modulus of an RSA key in any DER form the export gives (SPKI, PKCS#1 public, PKCS#8).
std::string opensslModulusHex(const Bytes& der, bool isPrivate);

}  // namespace kms::test
