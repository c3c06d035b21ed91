#include "kms/testkit/Conformance.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <sstream>
#include <unistd.h>

#include "kms/driver.h"
#include "kms/testkit/DriverHandle.hpp"
#include "kms/testkit/OpenSslCheck.hpp"

namespace kms::testkit {

namespace {

// A check ends early by throwing one of these; anything else thrown is a failure too.
struct Failure {
  std::string why;
};
struct Skipped {
  std::string why;
};

void expect(bool condition, const std::string& why) {
  if (!condition) throw Failure{why};
}

const char* statusName(kms_status status) {
  static const char* const names[] = {"KMS_OK",
                                      "KMS_ERR_INVALID_ARGUMENT",
                                      "KMS_ERR_NOT_SUPPORTED",
                                      "KMS_ERR_NOT_FOUND",
                                      "KMS_ERR_ALREADY_EXISTS",
                                      "KMS_ERR_AUTH_FAILED",
                                      "KMS_ERR_PERMISSION_DENIED",
                                      "KMS_ERR_DEVICE_UNAVAILABLE",
                                      "KMS_ERR_DEVICE_ERROR",
                                      "KMS_ERR_BUFFER_TOO_SMALL",
                                      "KMS_ERR_INTERNAL"};
  return status >= 0 && status <= KMS_ERR_INTERNAL ? names[status] : "unknown status";
}

struct Error {
  kms_error raw{};
  Error() { raw.struct_size = sizeof raw; }
  [[nodiscard]] std::string text() const {
    return std::string(raw.message, ::strnlen(raw.message, sizeof raw.message));
  }
};

std::string describe(kms_status status, const Error& error) {
  return std::string(statusName(status)) + (error.text().empty() ? "" : ": " + error.text());
}

void expectStatus(kms_status status, const Error& error, kms_status wanted, const std::string& what) {
  if (status != wanted) throw Failure{what + ": expected " + statusName(wanted) + ", got " + describe(status, error)};
  if (wanted != KMS_OK && error.raw.status != wanted) {
    throw Failure{what + ": kms_error.status is " + std::to_string(error.raw.status) + ", the call returned " +
                  std::to_string(wanted)};
  }
}

void ok(kms_status status, const Error& error, const std::string& what) {
  expectStatus(status, error, KMS_OK, what);
}

Bytes randomBytes(std::size_t n) {
  Bytes out(n);
  RAND_bytes(out.data(), static_cast<int>(n));
  return out;
}

// The ref points into `label`: it must outlive the ref, so temporaries are refused.
kms_key_ref ref(std::uint64_t slot, std::string&& label) = delete;
kms_key_ref ref(std::uint64_t slot, const std::string& label) {
  kms_key_ref r{};
  r.struct_size = sizeof r;
  r.slot_id = slot;
  r.label = label.c_str();
  return r;
}

kms_crypt_params params(std::int32_t algorithm, std::int32_t hash = 0) {
  kms_crypt_params p{};
  p.struct_size = sizeof p;
  p.algorithm = algorithm;
  p.hash = hash;
  p.mgf_hash = hash;
  p.tag_length = 16;
  return p;
}

const char* hashName(std::int32_t hash) {
  return hash == KMS_HASH_SHA1 ? "SHA1" : "SHA256";
}

using CryptFn = decltype(kms_driver_v1::encrypt);

class Suite {
 public:
  explicit Suite(const CheckOptions& options) : options_(options), driver_(options.driverPath) {
    const auto stamp = std::to_string(::getpid()) + "-" + std::to_string(std::rand() % 100000);
    aes_ = "kdc-aes-" + stamp;
    secret_ = "kdc-secret-" + stamp;
    rsa_ = "kdc-rsa-" + stamp;
    rsaPublic_ = rsa_ + "_pk";
  }

  ~Suite() {
    if (instance_ != nullptr && table_ != nullptr) table_->close(instance_);
  }

  std::vector<CheckResult> run();

 private:
  void check(const std::string& name, const std::function<std::string()>& body);
  // The function at `member`, or a skip when the driver's table lacks it (NULL or beyond
  // struct_size): NULL means "not supported".
  template <class Fn>
  Fn need(Fn kms_driver_v1::*member, const char* name) const {
    if (table_ == nullptr) throw Skipped{"no driver table"};
    static constexpr kms_driver_v1 probe{};
    const auto offset = reinterpret_cast<std::uintptr_t>(&(probe.*member)) - reinterpret_cast<std::uintptr_t>(&probe);
    if (table_->struct_size < offset + sizeof(Fn) || table_->*member == nullptr) {
      throw Skipped{std::string(name) + " is not implemented (NULL = not supported)"};
    }
    return table_->*member;
  }
  void needInstance() const {
    if (instance_ == nullptr) throw Skipped{"the driver did not open"};
  }
  void needKey(bool made, const char* what) const {
    if (!made) throw Skipped{std::string("no ") + what + " key (its generation failed or was skipped)"};
  }
  // Skips unless the token supports the algorithm (when the driver can tell).
  void needSupport(std::int32_t algorithm, std::int32_t hash, const char* what);

  kms_status openWith(const std::string& pin, std::uint64_t slot, const std::vector<kms_setting>& extra,
                      kms_instance** instance, Error& error) const;
  kms_key_info generate(std::int32_t type, const std::string& label, std::uint32_t bits, std::uint32_t flags,
                        const Bytes& id = {});
  Bytes exportKey(const std::string& label, std::int32_t format);
  Bytes crypt(CryptFn kms_driver_v1::*member, const char* name, const std::string& label, const kms_crypt_params& p,
              const Bytes& in);
  std::int32_t oaepHash();

  void abiChecks();
  void openChecks();
  void keyChecks();
  void aesChecks();
  void rsaChecks();
  void destroyChecks();

  const CheckOptions& options_;
  DriverHandle driver_;
  const kms_driver_v1* table_ = nullptr;
  kms_instance* instance_ = nullptr;
  std::vector<CheckResult> results_;
  std::string aes_, secret_, rsa_, rsaPublic_;
  Bytes aesId_ = randomBytes(8);
  bool aesMade_ = false, secretMade_ = false, rsaMade_ = false;
  Bytes aesValue_;  // exported, for the OpenSSL cross-checks
  Bytes spki_;
};

void Suite::check(const std::string& name, const std::function<std::string()>& body) {
  if (std::find(options_.skip.begin(), options_.skip.end(), name) != options_.skip.end()) {
    results_.push_back({name, Outcome::Skip, "skipped on request (--skip)"});
    return;
  }
  try {
    results_.push_back({name, Outcome::Pass, body()});
  } catch (const Failure& f) {
    results_.push_back({name, Outcome::Fail, f.why});
  } catch (const Skipped& s) {
    results_.push_back({name, Outcome::Skip, s.why});
  } catch (const std::exception& e) {
    results_.push_back({name, Outcome::Fail, std::string("exception: ") + e.what()});
  }
}

void Suite::needSupport(std::int32_t algorithm, std::int32_t hash, const char* what) {
  needInstance();
  if (table_->supports == nullptr) return;  // cannot tell: try it
  Error error;
  std::int32_t supported = 0;
  const auto status = table_->supports(instance_, options_.slot, algorithm, hash, &supported, &error.raw);
  if (status == KMS_ERR_NOT_SUPPORTED || (status == KMS_OK && supported == 0)) {
    throw Skipped{std::string("the token does not support ") + what};
  }
  ok(status, error, "supports");
}

kms_status Suite::openWith(const std::string& pin, std::uint64_t slot, const std::vector<kms_setting>& extra,
                           kms_instance** instance, Error& error) const {
  kms_slot_config slotConfig{};
  slotConfig.struct_size = sizeof slotConfig;
  slotConfig.slot_id = slot;
  slotConfig.login_mode = pin.empty() ? KMS_LOGIN_NONE : KMS_LOGIN_USER;
  slotConfig.password = reinterpret_cast<const std::uint8_t*>(pin.data());
  slotConfig.password_length = static_cast<std::uint32_t>(pin.size());
  std::vector<kms_setting> settings;
  settings.reserve(options_.settings.size() + extra.size());
  for (const auto& [name, value] : options_.settings) settings.push_back({name.c_str(), value.c_str()});
  settings.insert(settings.end(), extra.begin(), extra.end());
  kms_host_services host{};
  host.struct_size = sizeof host;  // no log: a conformance run prints its own lines only
  host.zeroize = [](void* data, std::uint64_t length) { std::memset(data, 0, length); };
  kms_open_params p{};
  p.struct_size = sizeof p;
  p.slot_count = 1;
  p.library_path = options_.libraryPath.empty() ? nullptr : options_.libraryPath.c_str();
  p.slots = &slotConfig;
  p.settings = settings.empty() ? nullptr : settings.data();
  p.setting_count = static_cast<std::uint32_t>(settings.size());
  p.host = &host;
  *instance = nullptr;
  return table_->open(&p, instance, &error.raw);
}

kms_key_info Suite::generate(std::int32_t type, const std::string& label, std::uint32_t bits, std::uint32_t flags,
                             const Bytes& id) {
  const auto fn = need(&kms_driver_v1::generate_key, "generate_key");
  needInstance();
  kms_generate_request request{};
  request.struct_size = sizeof request;
  request.key_type = type;
  request.slot_id = options_.slot;
  request.label = label.c_str();
  request.id = id.empty() ? nullptr : id.data();
  request.id_length = static_cast<std::uint32_t>(id.size());
  request.bits = bits;
  request.flags = flags;
  kms_key_info info{};
  info.struct_size = sizeof info;
  Error error;
  ok(fn(instance_, &request, &info, &error.raw), error, "generate_key");
  return info;
}

Bytes Suite::exportKey(const std::string& label, std::int32_t format) {
  const auto fn = need(&kms_driver_v1::export_key, "export_key");
  const auto r = ref(options_.slot, label);
  Error error;
  std::uint64_t length = 0;
  ok(fn(instance_, &r, format, nullptr, &length, &error.raw), error, "export_key (length query)");
  Bytes out(length);
  ok(fn(instance_, &r, format, out.data(), &length, &error.raw), error, "export_key");
  out.resize(length);
  return out;
}

Bytes Suite::crypt(CryptFn kms_driver_v1::*member, const char* name, const std::string& label,
                   const kms_crypt_params& p, const Bytes& in) {
  const auto fn = need(member, name);
  const auto r = ref(options_.slot, label);
  Error error;
  std::uint64_t length = 0;
  ok(fn(instance_, &r, &p, in.data(), in.size(), nullptr, &length, &error.raw), error,
     std::string(name) + " (length query)");
  Bytes out(length);
  ok(fn(instance_, &r, &p, in.data(), in.size(), out.data(), &length, &error.raw), error, name);
  expect(length <= out.size(), std::string(name) + ": wrote more than the length it announced");
  out.resize(length);
  return out;
}

std::int32_t Suite::oaepHash() {
  for (const auto hash : {KMS_HASH_SHA256, KMS_HASH_SHA1}) {
    std::int32_t supported = 1;
    Error error;
    if (table_->supports == nullptr ||
        (table_->supports(instance_, options_.slot, KMS_ALG_RSA_OAEP, hash, &supported, &error.raw) == KMS_OK &&
         supported != 0)) {
      return hash;
    }
  }
  throw Skipped{"the token supports RSA-OAEP with neither SHA-256 nor SHA-1"};
}

void Suite::abiChecks() {
  check("abi.entry_symbol", [&] {
    expect(driver_.error().empty(), driver_.error());
    return std::string(KMS_DRIVER_ENTRY_SYMBOL " resolves");
  });
  check("abi.version", [&] {
    if (driver_.entry() == nullptr) throw Skipped{"no entry point"};
    const kms_driver_v1* table = nullptr;
    const auto status = driver_.entry()(KMS_DRIVER_ABI_MAJOR, KMS_DRIVER_ABI_MINOR, &table);
    expect(status == KMS_OK, std::string("kms_driver_get(1, 0) returned ") + statusName(status));
    expect(table != nullptr, "kms_driver_get returned KMS_OK and no table");
    expect(table->abi_major == KMS_DRIVER_ABI_MAJOR, "table abi_major is " + std::to_string(table->abi_major));
    expect(table->struct_size >= 136, "table struct_size " + std::to_string(table->struct_size) + " < 136 (ABI 1.0)");
    expect(table->info != nullptr, "table info is NULL");
    expect(table->info->struct_size >= 48, "info struct_size below ABI 1.0");
    expect(table->info->abi_major == table->abi_major, "info abi_major differs from the table's");
    expect(table->open != nullptr && table->close != nullptr, "open and close are required");
    table_ = table;
    return "ABI " + std::to_string(table->abi_major) + "." + std::to_string(table->abi_minor) + ", table of " +
           std::to_string(table->struct_size) + " bytes";
  });
  check("abi.refuses_other_major", [&] {
    if (driver_.entry() == nullptr) throw Skipped{"no entry point"};
    const kms_driver_v1* table = reinterpret_cast<const kms_driver_v1*>(&table_);  // must be overwritten
    const auto status = driver_.entry()(KMS_DRIVER_ABI_MAJOR + 1, 0, &table);
    if (status == KMS_OK) {
      expect(table != nullptr && table->abi_major == KMS_DRIVER_ABI_MAJOR + 1,
             "served a host of ABI 2.0 with a table of another major version");
      return std::string("serves ABI 2.0 with a 2.0 table");
    }
    expect(status == KMS_ERR_NOT_SUPPORTED, std::string("expected KMS_ERR_NOT_SUPPORTED, got ") + statusName(status));
    expect(table == nullptr, "refused, but left *table set");
    return std::string("a host of ABI 2.0 is refused with KMS_ERR_NOT_SUPPORTED");
  });
  check("abi.info", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    const auto& info = *table_->info;
    expect(info.model != nullptr && *info.model != '\0', "model is empty");
    expect(info.driver_version != nullptr && *info.driver_version != '\0', "driver_version is empty");
    expect(info.thread_model >= KMS_THREAD_SAFE && info.thread_model <= KMS_THREAD_SERIALIZE_ALL,
           "thread_model " + std::to_string(info.thread_model) + " is not a KMS_THREAD_* value");
    return std::string("model ") + info.model + ", version " + info.driver_version + ", thread model " +
           std::to_string(info.thread_model);
  });
  check("abi.functions", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    std::vector<std::string> missing;
    const std::pair<const void*, const char*> functions[] = {
        {reinterpret_cast<const void*>(table_->slot_status), "slot_status"},
        {reinterpret_cast<const void*>(table_->generate_key), "generate_key"},
        {reinterpret_cast<const void*>(table_->find_key), "find_key"},
        {reinterpret_cast<const void*>(table_->list_keys), "list_keys"},
        {reinterpret_cast<const void*>(table_->export_key), "export_key"},
        {reinterpret_cast<const void*>(table_->destroy_key), "destroy_key"},
        {reinterpret_cast<const void*>(table_->encrypt), "encrypt"},
        {reinterpret_cast<const void*>(table_->decrypt), "decrypt"},
        {reinterpret_cast<const void*>(table_->wrap), "wrap"},
        {reinterpret_cast<const void*>(table_->unwrap), "unwrap"},
        {reinterpret_cast<const void*>(table_->sign), "sign"},
        {reinterpret_cast<const void*>(table_->random), "random"},
        {reinterpret_cast<const void*>(table_->supports), "supports"}};
    for (const auto& [fn, name] : functions) {
      if (fn == nullptr) missing.emplace_back(name);
    }
    std::string list;
    for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
    return missing.empty() ? std::string("all 15 functions implemented")
                           : "not supported (NULL): " + list + "; their checks skip";
  });
}

void Suite::openChecks() {
  check("open.unknown_setting", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    Error error;
    kms_instance* instance = nullptr;
    const auto status =
        openWith(options_.pin, options_.slot, {{"kms_driver_check_no_such_setting", "1"}}, &instance, error);
    if (instance != nullptr) table_->close(instance);
    expectStatus(status, error, KMS_ERR_INVALID_ARGUMENT, "open with an unknown setting");
    expect(error.text().find("kms_driver_check_no_such_setting") != std::string::npos,
           "the message does not name the unknown setting: " + error.text());
    return error.text();
  });
  // Before the real open: a logged-in token would let any PIN through in the same process.
  check("open.wrong_pin", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    if (options_.pin.empty()) throw Skipped{"no PIN configured (no login)"};
    Error error;
    kms_instance* instance = nullptr;
    const auto status = openWith(options_.pin + "-wrong", options_.slot, {}, &instance, error);
    if (instance != nullptr) table_->close(instance);
    expectStatus(status, error, KMS_ERR_AUTH_FAILED, "open with a wrong PIN");
    expect(error.text().find(options_.pin) == std::string::npos, "the message holds the PIN");
    return std::string("KMS_ERR_AUTH_FAILED");
  });
  check("open.unknown_slot", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    Error error;
    kms_instance* instance = nullptr;
    const auto status = openWith(options_.pin, 0x7ffffff0ULL, {}, &instance, error);
    if (instance != nullptr) table_->close(instance);
    expectStatus(status, error, KMS_ERR_NOT_FOUND, "open of slot 0x7ffffff0");
    return error.text();
  });
  check("open", [&] {
    if (table_ == nullptr) throw Skipped{"no table"};
    Error error;
    ok(openWith(options_.pin, options_.slot, {}, &instance_, error), error, "open");
    expect(instance_ != nullptr, "open returned KMS_OK and no instance");
    return std::string("slot ") + std::to_string(options_.slot) +
           (options_.pin.empty() ? " without login" : " logged in");
  });
  check("slot_status", [&] {
    const auto fn = need(&kms_driver_v1::slot_status, "slot_status");
    needInstance();
    Error error;
    std::int32_t accessible = -1;
    char label[64];
    std::memset(label, 'x', sizeof label);
    ok(fn(instance_, options_.slot, &accessible, label, sizeof label, &error.raw), error, "slot_status");
    expect(accessible == 1, "the configured slot is not accessible (" + std::to_string(accessible) + ")");
    expect(::memchr(label, '\0', sizeof label) != nullptr, "token_label is not NUL-terminated");
    return std::string("token '") + label + "'";
  });
  check("slot_status.unknown_slot", [&] {
    const auto fn = need(&kms_driver_v1::slot_status, "slot_status");
    needInstance();
    Error error;
    std::int32_t accessible = -1;
    char label[64] = {};
    expectStatus(fn(instance_, 0x7ffffff0ULL, &accessible, label, sizeof label, &error.raw), error, KMS_ERR_NOT_FOUND,
                 "slot_status of a slot not configured");
    return error.text();
  });
  check("supports", [&] {
    const auto fn = need(&kms_driver_v1::supports, "supports");
    needInstance();
    Error error;
    std::int32_t supported = -1;
    ok(fn(instance_, options_.slot, KMS_ALG_AES_GCM, 0, &supported, &error.raw), error, "supports(AES-GCM)");
    expect(supported == 0 || supported == 1, "supported is " + std::to_string(supported) + ", not 0 or 1");
    std::int32_t unknown = -1;
    Error unknownError;
    const auto status = fn(instance_, options_.slot, 9999, 0, &unknown, &unknownError.raw);
    expect(status == KMS_ERR_NOT_SUPPORTED || (status == KMS_OK && unknown == 0),
           std::string("an unknown algorithm: ") + describe(status, unknownError));
    return std::string("AES-GCM: ") + std::to_string(supported);
  });
  check("random", [&] {
    const auto fn = need(&kms_driver_v1::random, "random");
    needInstance();
    Bytes a(32), b(32);
    Error error;
    ok(fn(instance_, options_.slot, a.data(), a.size(), &error.raw), error, "random");
    ok(fn(instance_, options_.slot, b.data(), b.size(), &error.raw), error, "random");
    expect(a != b, "two random outputs are equal");
    expect(std::any_of(a.begin(), a.end(), [](auto x) { return x != 0; }), "random output is all zero");
    return std::string("2 x 32 bytes");
  });
}

void Suite::keyChecks() {
  check("generate.aes", [&] {
    const auto info = generate(KMS_KEY_AES, aes_, 256, KMS_KEY_EXTRACTABLE, aesId_);
    aesMade_ = true;
    expect(info.key_type == KMS_KEY_AES, "key_type " + std::to_string(info.key_type));
    expect(info.bits == 256, "bits " + std::to_string(info.bits));
    expect(std::string(info.label) == aes_, std::string("label '") + info.label + "'");
    expect((info.flags & KMS_KEY_SENSITIVE) == 0, "a non-sensitive key reported sensitive");
    return "AES-256 '" + aes_ + "'";
  });
  check("generate.aes_sensitive", [&] {
    const auto info = generate(KMS_KEY_AES, secret_, 128, KMS_KEY_SENSITIVE);
    secretMade_ = true;
    expect(info.bits == 128, "bits " + std::to_string(info.bits));
    expect((info.flags & KMS_KEY_SENSITIVE) != 0, "a sensitive key reported not sensitive");
    return "AES-128 '" + secret_ + "'";
  });
  check("find.by_label", [&] {
    const auto fn = need(&kms_driver_v1::find_key, "find_key");
    needKey(aesMade_, "AES");
    const auto r = ref(options_.slot, aes_);
    kms_key_info info{};
    info.struct_size = sizeof info;
    Error error;
    ok(fn(instance_, &r, &info, &error.raw), error, "find_key");
    expect(info.key_type == KMS_KEY_AES && info.bits == 256 && std::string(info.label) == aes_, "wrong key info");
    return std::string("found");
  });
  check("find.by_id", [&] {
    const auto fn = need(&kms_driver_v1::find_key, "find_key");
    needKey(aesMade_, "AES");
    const std::string noLabel;
    auto r = ref(options_.slot, noLabel);
    r.id = aesId_.data();
    r.id_length = static_cast<std::uint32_t>(aesId_.size());
    kms_key_info info{};
    info.struct_size = sizeof info;
    Error error;
    ok(fn(instance_, &r, &info, &error.raw), error, "find_key by CKA_ID");
    expect(std::string(info.label) == aes_, std::string("found '") + info.label + "'");
    return std::string("found by an 8-byte id");
  });
  check("find.missing", [&] {
    const auto fn = need(&kms_driver_v1::find_key, "find_key");
    needInstance();
    const std::string missing = "kdc-no-such-key-" + aes_;  // outlives r, which points into it
    const auto r = ref(options_.slot, missing);
    kms_key_info info{};
    info.struct_size = sizeof info;
    Error error;
    expectStatus(fn(instance_, &r, &info, &error.raw), error, KMS_ERR_NOT_FOUND, "find_key of a missing key");
    return error.text();
  });
  check("list", [&] {
    const auto fn = need(&kms_driver_v1::list_keys, "list_keys");
    needKey(aesMade_, "AES");
    struct Walk {
      std::string wanted;
      int seen = 0;
      bool found = false;
      int stopAfter = 0;
    };
    auto visit = [](void* context, const kms_key_info* key) -> std::int32_t {
      auto* walk = static_cast<Walk*>(context);
      ++walk->seen;
      if (key != nullptr && walk->wanted == key->label) walk->found = true;
      return walk->stopAfter != 0 && walk->seen >= walk->stopAfter ? 1 : 0;
    };
    Walk all{aes_};
    Error error;
    ok(fn(instance_, options_.slot, visit, &all, &error.raw), error, "list_keys");
    expect(all.found, "the generated key is not listed");
    Walk first{aes_, 0, false, 1};
    ok(fn(instance_, options_.slot, visit, &first, &error.raw), error, "list_keys stopped early");
    expect(first.seen == 1, "a non-zero return from visit did not stop the walk (" + std::to_string(first.seen) + ")");
    return std::to_string(all.seen) + " keys; the walk stops when asked";
  });
  check("export.raw", [&] {
    const auto fn = need(&kms_driver_v1::export_key, "export_key");
    needKey(aesMade_, "AES");
    const auto r = ref(options_.slot, aes_);
    Error error;
    std::uint64_t length = 0;
    ok(fn(instance_, &r, KMS_FORMAT_RAW, nullptr, &length, &error.raw), error, "export_key (NULL buffer)");
    expect(length == 32, "announced length " + std::to_string(length));
    Bytes small(4);
    std::uint64_t smallLength = small.size();
    expectStatus(fn(instance_, &r, KMS_FORMAT_RAW, small.data(), &smallLength, &error.raw), error,
                 KMS_ERR_BUFFER_TOO_SMALL, "export_key into 4 bytes");
    expect(smallLength == 32, "BUFFER_TOO_SMALL reported " + std::to_string(smallLength) + " bytes needed");
    aesValue_ = exportKey(aes_, KMS_FORMAT_RAW);
    expect(aesValue_.size() == 32, "exported " + std::to_string(aesValue_.size()) + " bytes");
    return std::string("two-call convention: NULL -> 32, 4 bytes -> BUFFER_TOO_SMALL(32), 32 bytes");
  });
  check("export.sensitive_refused", [&] {
    const auto fn = need(&kms_driver_v1::export_key, "export_key");
    needKey(secretMade_, "sensitive AES");
    const auto r = ref(options_.slot, secret_);
    Bytes out(64);
    std::uint64_t length = out.size();
    Error error;
    expectStatus(fn(instance_, &r, KMS_FORMAT_RAW, out.data(), &length, &error.raw), error, KMS_ERR_PERMISSION_DENIED,
                 "export of a sensitive key");
    return error.text();
  });
  check("export.missing", [&] {
    const auto fn = need(&kms_driver_v1::export_key, "export_key");
    needInstance();
    const std::string missing = "kdc-no-such-key-" + aes_;  // outlives r, which points into it
    const auto r = ref(options_.slot, missing);
    Bytes out(64);
    std::uint64_t length = out.size();
    Error error;
    expectStatus(fn(instance_, &r, KMS_FORMAT_RAW, out.data(), &length, &error.raw), error, KMS_ERR_NOT_FOUND,
                 "export of a missing key");
    return error.text();
  });
}

void Suite::aesChecks() {
  const Bytes iv = randomBytes(12);
  const Bytes aad = {'k', 'd', 'c'};
  const Bytes plain = randomBytes(100);
  auto gcm = params(KMS_ALG_AES_GCM);
  gcm.iv = iv.data();
  gcm.iv_length = 12;
  gcm.aad = aad.data();
  gcm.aad_length = static_cast<std::uint32_t>(aad.size());
  Bytes sealed;
  check("encrypt.aes_gcm", [&] {
    needKey(aesMade_, "AES");
    needSupport(KMS_ALG_AES_GCM, 0, "AES-GCM");
    sealed = crypt(&kms_driver_v1::encrypt, "encrypt", aes_, gcm, plain);
    expect(sealed.size() == plain.size() + 16, "ciphertext || tag of " + std::to_string(sealed.size()) + " bytes");
    if (aesValue_.empty()) return std::string("100 bytes (no OpenSSL cross-check: key not exported)");
    expect(sealed == OpenSslCheck::aesGcmEncrypt(aesValue_, iv, aad, plain), "differs from OpenSSL's AES-GCM");
    return std::string("100 bytes with AAD, identical to OpenSSL's");
  });
  check("decrypt.aes_gcm", [&] {
    if (sealed.empty()) throw Skipped{"nothing encrypted"};
    const auto opened = crypt(&kms_driver_v1::decrypt, "decrypt", aes_, gcm, sealed);
    expect(opened == plain, "the round trip changed the plaintext");
    return std::string("round trip");
  });
  check("decrypt.aes_gcm_bad_tag", [&] {
    if (sealed.empty()) throw Skipped{"nothing encrypted"};
    const auto fn = need(&kms_driver_v1::decrypt, "decrypt");
    auto tampered = sealed;
    tampered.at(tampered.size() / 2) ^= 0x01;  // any changed byte fails the tag
    const auto r = ref(options_.slot, aes_);
    Bytes out(tampered.size());
    std::uint64_t length = out.size();
    Error error;
    expectStatus(fn(instance_, &r, &gcm, tampered.data(), tampered.size(), out.data(), &length, &error.raw), error,
                 KMS_ERR_DEVICE_ERROR, "decrypt with a wrong tag");
    return error.text();
  });
  check("encrypt.buffer_too_small", [&] {
    needKey(aesMade_, "AES");
    needSupport(KMS_ALG_AES_GCM, 0, "AES-GCM");
    const auto fn = need(&kms_driver_v1::encrypt, "encrypt");
    const auto r = ref(options_.slot, aes_);
    Bytes out(8);
    std::uint64_t length = out.size();
    Error error;
    expectStatus(fn(instance_, &r, &gcm, plain.data(), plain.size(), out.data(), &length, &error.raw), error,
                 KMS_ERR_BUFFER_TOO_SMALL, "encrypt into 8 bytes");
    expect(length >= plain.size() + 16, "needed length reported as " + std::to_string(length));
    return "needs " + std::to_string(length) + " bytes";
  });
  check("wrap.aes_key_wrap_pad", [&] {
    needKey(aesMade_, "AES");
    needSupport(KMS_ALG_AES_KEY_WRAP_PAD, 0, "AES key wrap with padding");
    const auto material = randomBytes(32);
    const auto p = params(KMS_ALG_AES_KEY_WRAP_PAD);
    const auto wrapped = crypt(&kms_driver_v1::wrap, "wrap", aes_, p, material);
    if (!aesValue_.empty()) {
      expect(wrapped == OpenSslCheck::aesKeyWrapPad(aesValue_, material), "differs from OpenSSL's RFC 5649 wrap");
    }
    const auto unwrapped = crypt(&kms_driver_v1::unwrap, "unwrap", aes_, p, wrapped);
    expect(unwrapped == material, "unwrap did not give the material back");
    return std::string("32 bytes, round trip") + (aesValue_.empty() ? "" : ", identical to OpenSSL's");
  });
  check("wrap.aes_gcm", [&] {
    needKey(aesMade_, "AES");
    if (table_->info->capabilities != 0 && (table_->info->capabilities & KMS_CAP_AES_GCM_WRAP) == 0) {
      throw Skipped{"the driver does not declare KMS_CAP_AES_GCM_WRAP"};
    }
    needSupport(KMS_ALG_AES_GCM, 0, "AES-GCM");
    const auto material = randomBytes(32);
    const auto wrapped = crypt(&kms_driver_v1::wrap, "wrap", aes_, gcm, material);
    const auto unwrapped = crypt(&kms_driver_v1::unwrap, "unwrap", aes_, gcm, wrapped);
    expect(unwrapped == material, "unwrap did not give the material back");
    return std::string("32 bytes, round trip");
  });
}

void Suite::rsaChecks() {
  check("generate.rsa", [&] {
    const auto info = generate(KMS_KEY_RSA_PRIVATE, rsa_, 2048, KMS_KEY_SENSITIVE);
    rsaMade_ = true;
    expect(info.key_type == KMS_KEY_RSA_PRIVATE, "key_type " + std::to_string(info.key_type));
    expect(info.bits == 2048, "bits " + std::to_string(info.bits));
    const auto fn = need(&kms_driver_v1::find_key, "find_key");
    const auto r = ref(options_.slot, rsaPublic_);
    kms_key_info pub{};
    pub.struct_size = sizeof pub;
    Error error;
    ok(fn(instance_, &r, &pub, &error.raw), error, "find_key of the public key '" + rsaPublic_ + "'");
    expect(pub.key_type == KMS_KEY_RSA_PUBLIC, "the _pk key is not an RSA public key");
    return "RSA-2048 pair '" + rsa_ + "' / '" + rsaPublic_ + "'";
  });
  check("export.spki", [&] {
    needKey(rsaMade_, "RSA");
    spki_ = exportKey(rsaPublic_, KMS_FORMAT_SPKI);
    expect(OpenSslCheck::rsaBits(spki_) == 2048, "OpenSSL does not read a 2048-bit RSA SubjectPublicKeyInfo");
    return std::to_string(spki_.size()) + " bytes, read by OpenSSL";
  });
  check("export.rsa_private_refused", [&] {
    needKey(rsaMade_, "RSA");
    const auto fn = need(&kms_driver_v1::export_key, "export_key");
    const auto r = ref(options_.slot, rsa_);
    Bytes out(4096);
    std::uint64_t length = out.size();
    Error error;
    expectStatus(fn(instance_, &r, KMS_FORMAT_PKCS8, out.data(), &length, &error.raw), error, KMS_ERR_PERMISSION_DENIED,
                 "PKCS#8 export of a sensitive private key");
    return error.text();
  });
  check("decrypt.rsa_oaep", [&] {
    needKey(rsaMade_, "RSA");
    if (spki_.empty()) throw Skipped{"no public key"};
    const auto hash = oaepHash();
    const auto plain = randomBytes(32);
    const auto p = params(KMS_ALG_RSA_OAEP, hash);
    const auto opened =
        crypt(&kms_driver_v1::decrypt, "decrypt", rsa_, p, OpenSslCheck::rsaOaepEncrypt(spki_, hashName(hash), plain));
    expect(opened == plain, "did not decrypt OpenSSL's ciphertext");
    const auto sealed = crypt(&kms_driver_v1::encrypt, "encrypt", rsaPublic_, p, plain);
    expect(crypt(&kms_driver_v1::decrypt, "decrypt", rsa_, p, sealed) == plain, "own round trip failed");
    return std::string("OAEP with ") + hashName(hash) + ": OpenSSL -> driver, and driver round trip";
  });
  check("encrypt.rsa_pkcs1", [&] {
    needKey(rsaMade_, "RSA");
    needSupport(KMS_ALG_RSA_PKCS1, 0, "RSA PKCS#1 v1.5");
    const auto plain = randomBytes(32);
    const auto p = params(KMS_ALG_RSA_PKCS1);
    const auto sealed = crypt(&kms_driver_v1::encrypt, "encrypt", rsaPublic_, p, plain);
    expect(sealed.size() == 256, "ciphertext of " + std::to_string(sealed.size()) + " bytes");
    expect(crypt(&kms_driver_v1::decrypt, "decrypt", rsa_, p, sealed) == plain, "round trip failed");
    return std::string("round trip");
  });
  check("wrap.rsa_oaep", [&] {
    needKey(rsaMade_, "RSA");
    const auto hash = oaepHash();
    const auto material = randomBytes(32);
    const auto p = params(KMS_ALG_RSA_OAEP, hash);
    const auto wrapped = crypt(&kms_driver_v1::wrap, "wrap", rsaPublic_, p, material);
    expect(crypt(&kms_driver_v1::unwrap, "unwrap", rsa_, p, wrapped) == material, "round trip failed");
    return std::string("32 bytes under the public key, unwrapped by the private key");
  });
  const Bytes data = {'k', 'm', 's', '-', 'd', 'r', 'i', 'v', 'e', 'r', '-', 'c', 'h', 'e', 'c', 'k'};
  check("sign.rsa_pkcs1", [&] {
    needKey(rsaMade_, "RSA");
    if (spki_.empty()) throw Skipped{"no public key"};
    needSupport(KMS_ALG_RSA_PKCS1_SIGN, KMS_HASH_SHA256, "RSA PKCS#1 v1.5 signatures with SHA-256");
    const auto signature =
        crypt(&kms_driver_v1::sign, "sign", rsa_, params(KMS_ALG_RSA_PKCS1_SIGN, KMS_HASH_SHA256), data);
    expect(OpenSslCheck::rsaVerify(spki_, "SHA256", false, data, signature), "OpenSSL rejects the signature");
    return std::string("SHA-256, verified by OpenSSL");
  });
  check("sign.rsa_pss", [&] {
    needKey(rsaMade_, "RSA");
    if (spki_.empty()) throw Skipped{"no public key"};
    needSupport(KMS_ALG_RSA_PSS, KMS_HASH_SHA256, "RSA-PSS with SHA-256");
    auto p = params(KMS_ALG_RSA_PSS, KMS_HASH_SHA256);
    p.salt_length = 32;
    const auto signature = crypt(&kms_driver_v1::sign, "sign", rsa_, p, data);
    expect(OpenSslCheck::rsaVerify(spki_, "SHA256", true, data, signature), "OpenSSL rejects the signature");
    return std::string("SHA-256, salt 32, verified by OpenSSL");
  });
}

void Suite::destroyChecks() {
  check("destroy", [&] {
    const auto fn = need(&kms_driver_v1::destroy_key, "destroy_key");
    needInstance();
    int destroyed = 0;
    for (const auto& [made, label] : {std::pair{aesMade_, aes_}, std::pair{secretMade_, secret_},
                                      std::pair{rsaMade_, rsa_}, std::pair{rsaMade_, rsaPublic_}}) {
      if (!made) continue;
      const auto r = ref(options_.slot, label);
      Error error;
      ok(fn(instance_, &r, &error.raw), error, "destroy_key '" + label + "'");
      ++destroyed;
    }
    if (destroyed == 0) throw Skipped{"no key was made"};
    if (table_->find_key != nullptr) {
      const auto r = ref(options_.slot, aes_);
      kms_key_info info{};
      info.struct_size = sizeof info;
      Error error;
      expectStatus(table_->find_key(instance_, &r, &info, &error.raw), error, KMS_ERR_NOT_FOUND,
                   "find_key after destroy_key");
    }
    aesMade_ = secretMade_ = rsaMade_ = false;
    return std::to_string(destroyed) + " keys destroyed and gone";
  });
  check("destroy.missing", [&] {
    const auto fn = need(&kms_driver_v1::destroy_key, "destroy_key");
    needInstance();
    const std::string missing = "kdc-no-such-key-" + aes_;  // outlives r, which points into it
    const auto r = ref(options_.slot, missing);
    Error error;
    expectStatus(fn(instance_, &r, &error.raw), error, KMS_ERR_NOT_FOUND, "destroy_key of a missing key");
    return error.text();
  });
  check("close", [&] {
    needInstance();
    table_->close(instance_);
    instance_ = nullptr;
    return std::string("closed");
  });
}

std::vector<CheckResult> Suite::run() {
  abiChecks();
  openChecks();
  keyChecks();
  aesChecks();
  rsaChecks();
  destroyChecks();
  return std::move(results_);
}

}  // namespace

std::vector<CheckResult> runConformance(const CheckOptions& options) {
  return Suite(options).run();
}

const char* outcomeName(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::Pass:
      return "PASS";
    case Outcome::Fail:
      return "FAIL";
    default:
      return "SKIP";
  }
}

}  // namespace kms::testkit
