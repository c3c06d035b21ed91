#include "kms/hsm/DriverInstance.hpp"

#include <fmt/format.h>

#include <Poco/Logger.h>
#include <algorithm>
#include <cstring>
#include <string_view>

#include "kms/hsm/AbiVocabulary.hpp"
#include "kms/hsm/StatusMapper.hpp"

namespace kms::hsm {

namespace {

// Output guesses for the first call: right for every 1.0 algorithm and key size, so that the
// two-call convention costs a second call only when a driver needs more than we thought.
constexpr std::uint64_t kCryptSlack = 64;
constexpr std::uint64_t kMinCryptOutput = 512;  // an RSA-4096 block
constexpr std::uint64_t kExportGuess = 8192;    // an RSA-4096 PKCS#8 DER is ~2.4 KB
constexpr int kOutputAttempts = 3;

// The phrase every failure to reach the HSM starts with (docs/wrapped-keys.md, "When the HSM is
// down"): operators and clients match on it.
constexpr std::string_view kUnreachable = "HSM unavailable: ";

kms_error emptyError() {
  kms_error error{};
  error.struct_size = sizeof(kms_error);
  return error;
}

kms_key_ref toC(const KeyRef& key) {
  kms_key_ref ref{};
  ref.struct_size = sizeof(kms_key_ref);
  ref.slot_id = key.slot;
  ref.label = key.label.c_str();
  ref.id = key.id.empty() ? nullptr : key.id.data();
  ref.id_length = static_cast<std::uint32_t>(key.id.size());
  return ref;
}

kms_crypt_params toC(const CryptParams& params) {
  kms_crypt_params p{};
  p.struct_size = sizeof(kms_crypt_params);
  p.algorithm = AbiVocabulary::algorithm(params.mechanism);
  p.hash = AbiVocabulary::hash(params.hash);
  p.mgf_hash = AbiVocabulary::hash(params.mgfHash ? params.mgfHash : params.hash);
  p.iv = params.iv.empty() ? nullptr : params.iv.data();
  p.iv_length = static_cast<std::uint32_t>(params.iv.size());
  p.tag_length = params.tagLength;
  p.aad = params.aad.empty() ? nullptr : params.aad.data();
  p.aad_length = static_cast<std::uint32_t>(params.aad.size());
  p.salt_length = params.saltLength;
  return p;
}

KeyInfo fromC(const kms_key_info& info) {
  KeyInfo key;
  key.type = AbiVocabulary::keyTypeFromAbi(info.key_type);
  key.bits = info.bits;
  const auto protection = AbiVocabulary::protectionFromAbi(info.flags);
  key.sensitive = protection.sensitive;
  key.extractable = protection.extractable;
  key.usage = AbiVocabulary::usageFromAbi(info.usage);
  key.slot = info.slot_id;
  key.label.assign(info.label, ::strnlen(info.label, sizeof info.label));
  key.id.assign(info.id, info.id + std::min<std::size_t>(info.id_length, sizeof info.id));
  return key;
}

kms_key_info emptyInfo() {
  kms_key_info info{};
  info.struct_size = sizeof(kms_key_info);
  return info;
}

struct Outcome {
  kms_status status = KMS_OK;
  kms_error error = emptyError();
  keys::SecretBytes data;
};

// The two-call convention, started with a buffer large enough in the usual case.
template <class Attempt>
Outcome readOutput(std::atomic<std::uint64_t>& calls, std::uint64_t guess, Attempt&& attempt) {
  Outcome outcome;
  outcome.data.resize(static_cast<std::size_t>(std::max<std::uint64_t>(guess, 1)));
  for (int round = 0; round < kOutputAttempts; ++round) {
    outcome.error = emptyError();
    std::uint64_t length = outcome.data.size();
    ++calls;
    outcome.status = attempt(outcome.data.data(), &length, &outcome.error);
    if (outcome.status == KMS_OK) {
      if (length > outcome.data.size()) {
        outcome.status = KMS_ERR_INTERNAL;
        std::snprintf(outcome.error.message, sizeof outcome.error.message,
                      "driver reported %llu bytes written into a buffer of %zu",
                      static_cast<unsigned long long>(length), outcome.data.size());
        return outcome;
      }
      outcome.data.resize(static_cast<std::size_t>(length));
      return outcome;
    }
    if (outcome.status != KMS_ERR_BUFFER_TOO_SMALL || length <= outcome.data.size()) return outcome;
    outcome.data.resize(static_cast<std::size_t>(length));
  }
  return outcome;
}

std::int32_t loginMode(LoginMode mode) {
  switch (mode) {
    case LoginMode::NullPin:
      return KMS_LOGIN_NULL_PIN;
    case LoginMode::None:
      return KMS_LOGIN_NONE;
    default:
      return KMS_LOGIN_USER;
  }
}

std::string_view threadModelName(std::int32_t model) {
  switch (model) {
    case KMS_THREAD_SERIALIZE_SLOT:
      return "serialize per slot";
    case KMS_THREAD_SERIALIZE_ALL:
      return "serialize all";
    default:
      return "thread-safe";
  }
}

}  // namespace

DriverInstance::DriverInstance(std::string name, const InstanceConfig& config)
    : name_(std::move(name)),
      model_(config.model),
      admins_(config.admins),
      fromFlatForm_(config.fromFlatForm),
      callTimeout_(config.callTimeout),
      statusTimeout_(config.statusTimeout) {
  for (const auto& slot : config.slots) slots_.push_back(slot.slotId);
}

std::unique_ptr<DriverInstance> DriverInstance::open(std::string name, std::shared_ptr<DriverModule> module,
                                                     const InstanceConfig& config) {
  std::unique_ptr<DriverInstance> instance(new DriverInstance(std::move(name), config));
  instance->module_ = std::move(module);
  instance->host_ = std::make_unique<HostServices>(config.model);
  instance->gate_ = std::make_unique<CallGate>(instance->module_->threadModel());

  // The PINs are copied into wiped buffers only for the duration of open: the driver keeps its
  // own copy, and nothing here outlives this function.
  std::vector<keys::SecretBytes> passwords;
  std::vector<kms_slot_config> slots;
  passwords.reserve(config.slots.size());
  for (const auto& slot : config.slots) {
    passwords.emplace_back(slot.password.begin(), slot.password.end());
    kms_slot_config c{};
    c.struct_size = sizeof(kms_slot_config);
    c.login_mode = loginMode(slot.login);
    c.slot_id = slot.slotId;
    if (slot.login == LoginMode::User) {
      c.password = passwords.back().data();
      c.password_length = static_cast<std::uint32_t>(passwords.back().size());
    }
    slots.push_back(c);
  }
  std::vector<kms_setting> settings;
  settings.reserve(config.settings.size());
  for (const auto& [key, value] : config.settings) settings.push_back(kms_setting{key.c_str(), value.c_str()});

  kms_open_params params{};
  params.struct_size = sizeof(kms_open_params);
  params.slot_count = static_cast<std::uint32_t>(slots.size());
  params.library_path = config.library.empty() ? nullptr : config.library.c_str();
  params.slots = slots.empty() ? nullptr : slots.data();
  params.settings = settings.empty() ? nullptr : settings.data();
  params.setting_count = static_cast<std::uint32_t>(settings.size());
  params.host = instance->host_->services();

  kms_error error = emptyError();
  kms_instance* handle = nullptr;
  ++instance->calls_;
  const kms_status status = instance->module_->table().open(&params, &handle, &error);
  if (status != KMS_OK) {
    throw Exception(StatusMapper::code(status, false),
                    fmt::format("{}: cannot open the {} driver ({}): {}", instance->prefix(), config.model,
                                instance->module_->path(), StatusMapper::message(status, error)));
  }
  if (handle == nullptr) {
    throw Exception(ErrorCode::InternalError, fmt::format("{}: the {} driver ({}) opened no instance",
                                                          instance->prefix(), config.model, instance->module_->path()));
  }
  instance->handle_ = handle;
  instance->pool_ = std::make_unique<WorkerPool>(instance->prefix(), config.threads, config.queueCapacity);
  if (config.inlineCalls) {
    instance->inline_ = std::make_unique<InlineCalls>(instance->prefix(), config.threads, config.callTimeout);
  }
  const auto& info = instance->module_->info();
  instance->host_->logger().information(fmt::format("{}: driver {} ({} {}, ABI {}.{}, {}) opened with {} slot(s)",
                                                    instance->prefix(), instance->module_->path(), info.model,
                                                    info.driver_version ? info.driver_version : "?", info.abi_major,
                                                    info.abi_minor, threadModelName(info.thread_model), slots.size()));
  return instance;
}

std::unique_ptr<DriverInstance> DriverInstance::unavailable(std::string name, const InstanceConfig& config,
                                                            std::string reason) {
  std::unique_ptr<DriverInstance> instance(new DriverInstance(std::move(name), config));
  instance->reason_ = std::move(reason);
  return instance;
}

DriverInstance::~DriverInstance() {
  // Calls first, inline and on workers: none may run while or after the driver closes the
  // instance.
  inline_.reset();
  pool_.reset();
  if (handle_ != nullptr) module_->table().close(handle_);
}

std::int32_t DriverInstance::threadModel() const noexcept {
  return module_ ? module_->threadModel() : KMS_THREAD_SAFE;
}

void DriverInstance::requireAvailable(std::string_view operation) const {
  if (handle_ == nullptr) {
    throw Exception(ErrorCode::Unavailable,
                    fmt::format("{}{} is unavailable ({}): {}", kUnreachable, prefix(), operation, reason_));
  }
}

template <class Fn>
Fn DriverInstance::required(Fn kms_driver_v1::*member, std::string_view operation) const {
  requireAvailable(operation);
  Fn fn = module_->function(member);
  if (fn == nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    fmt::format("{}: {} is not supported by the {} driver", prefix(), operation, model_));
  }
  return fn;
}

template <class Fn>
auto DriverInstance::submit(std::uint64_t slot, std::string_view operation, Fn body) {
  try {
    // inline_ exists only for an instance that opened: no availability check is owed here.
    if (inline_) {
      if (const auto call = inline_->enter(operation, slot)) {
        const auto lock = gate_->enter(slot);
        return body();
      }
    }
    return pooled(slot, operation, callTimeout_, std::move(body));
  } catch (const Exception& e) {
    // A hung or overloaded HSM (no call slot, no answer within the call timeout, a full queue)
    // or an instance that never opened is the same news for the client as a refused call
    // (check() below): the HSM cannot be reached. One phrase for all of them.
    if (e.code() != ErrorCode::Unavailable || std::string_view(e.what()).starts_with(kUnreachable)) throw;
    throw Exception(ErrorCode::Unavailable, fmt::format("{}{}", kUnreachable, e.what()));
  }
}

template <class Fn>
auto DriverInstance::pooled(std::uint64_t slot, std::string_view operation, std::chrono::milliseconds timeout,
                            Fn body) {
  requireAvailable(operation);
  return pool_->run(
      [this, slot, body = std::move(body)]() mutable {
        const auto lock = gate_->enter(slot);
        return body();
      },
      timeout, fmt::format("{} on slot {}", operation, slot));
}

void DriverInstance::check(kms_status status, const kms_error& error, std::string_view operation, std::uint64_t slot,
                           bool exporting) const {
  if (status == KMS_OK) return;
  const std::string site = prefix();
  auto mapped = StatusMapper::toException(status, error, CallSite{site, operation, slot, exporting});
  // One phrase for every call that could not reach the HSM, whatever the operation: operators
  // and clients tell "the HSM is down" from "this request is wrong" at a glance.
  if (mapped.code() == ErrorCode::Unavailable) {
    throw Exception(ErrorCode::Unavailable, fmt::format("{}{}", kUnreachable, mapped.what()));
  }
  throw mapped;
}

KeyInfo DriverInstance::generate(KeyType keyType, std::uint64_t slot, const std::string& label, std::uint32_t bits,
                                 KeyProtection protection, KeyUsage usage, const Bytes& id) {
  const auto fn = required(&kms_driver_v1::generate_key, "generate_key");
  return submit(slot, "generate_key", [=, this] {
    kms_generate_request request{};
    request.struct_size = sizeof(kms_generate_request);
    request.key_type = AbiVocabulary::keyType(keyType);
    request.slot_id = slot;
    request.label = label.c_str();
    request.id = id.empty() ? nullptr : id.data();
    request.id_length = static_cast<std::uint32_t>(id.size());
    request.bits = bits;
    request.flags = AbiVocabulary::flags(protection);
    request.usage = AbiVocabulary::usage(usage);
    kms_key_info created = emptyInfo();
    kms_error error = emptyError();
    ++calls_;
    check(fn(handle_, &request, &created, &error), error, "generate_key", slot);
    return fromC(created);
  });
}

KeyInfo DriverInstance::generateAes(std::uint64_t slot, const std::string& label, std::uint32_t bits,
                                    KeyProtection protection, KeyUsage usage, const Bytes& id) {
  return generate(KeyType::Aes, slot, label, bits, protection, usage, id);
}

KeyInfo DriverInstance::generateRsa(std::uint64_t slot, const std::string& label, std::uint32_t bits,
                                    KeyProtection protection, KeyUsage usage, const Bytes& id) {
  return generate(KeyType::RsaPrivate, slot, label, bits, protection, usage, id);
}

KeyInfo DriverInstance::find(const KeyRef& key) {
  const auto fn = required(&kms_driver_v1::find_key, "find_key");
  return submit(key.slot, "find_key", [=, this] {
    const kms_key_ref ref = toC(key);
    kms_key_info found = emptyInfo();
    kms_error error = emptyError();
    ++calls_;
    check(fn(handle_, &ref, &found, &error), error, "find_key", key.slot);
    return fromC(found);
  });
}

KeyInfo DriverInstance::describe(const KeyRef& key) {
  if (auto cached = keyInfo_.find(key)) return *cached;
  auto info = find(key);
  keyInfo_.put(key, info);
  return info;
}

std::vector<KeyInfo> DriverInstance::list(std::uint64_t slot) {
  const auto fn = required(&kms_driver_v1::list_keys, "list_keys");
  return submit(slot, "list_keys", [=, this] {
    struct Walk {
      std::vector<KeyInfo> keys;
      bool failed = false;
    } walk;
    // A C callback: nothing may unwind through the driver, so a failure stops the walk instead.
    auto visit = [](void* context, const kms_key_info* key) -> std::int32_t {
      auto* w = static_cast<Walk*>(context);
      try {
        if (key != nullptr) w->keys.push_back(fromC(*key));
        return 0;
      } catch (...) {
        w->failed = true;
        return 1;
      }
    };
    kms_error error = emptyError();
    ++calls_;
    check(fn(handle_, slot, visit, &walk, &error), error, "list_keys", slot);
    if (walk.failed) throw Exception(ErrorCode::InternalError, fmt::format("{}: out of memory listing keys", prefix()));
    return std::move(walk.keys);
  });
}

keys::SecretBytes DriverInstance::exportKey(const KeyRef& key, ExportFormat format) {
  const auto fn = required(&kms_driver_v1::export_key, "export_key");
  return submit(key.slot, "export_key", [=, this] {
    const kms_key_ref ref = toC(key);
    auto outcome = readOutput(calls_, kExportGuess, [&](std::uint8_t* out, std::uint64_t* length, kms_error* error) {
      return fn(handle_, &ref, AbiVocabulary::format(format), out, length, error);
    });
    check(outcome.status, outcome.error, "export_key", key.slot, true);
    return std::move(outcome.data);
  });
}

void DriverInstance::destroy(const KeyRef& key) {
  const auto fn = required(&kms_driver_v1::destroy_key, "destroy_key");
  // Before and after: no request may see the key as present once the destroy is answered.
  keyInfo_.clear();
  struct ClearAfter {
    KeyInfoCache& cache;
    ~ClearAfter() { cache.clear(); }
  } clearAfter{keyInfo_};
  submit(key.slot, "destroy_key", [=, this] {
    const kms_key_ref ref = toC(key);
    kms_error error = emptyError();
    ++calls_;
    check(fn(handle_, &ref, &error), error, "destroy_key", key.slot);
    return 0;
  });
}

keys::SecretBytes DriverInstance::crypt(CryptFn kms_driver_v1::*member, std::string_view operation, const KeyRef& key,
                                        const CryptParams& params, keys::SecretBytes in) {
  const auto fn = required(member, operation);
  const std::string op(operation);
  return submit(key.slot, operation, [this, fn, op, key, params, in = std::move(in)] {
    const kms_key_ref ref = toC(key);
    const kms_crypt_params p = toC(params);
    const std::uint64_t guess = std::max<std::uint64_t>(in.size() + kCryptSlack, kMinCryptOutput);
    auto outcome = readOutput(calls_, guess, [&](std::uint8_t* out, std::uint64_t* length, kms_error* error) {
      return fn(handle_, &ref, &p, in.data(), in.size(), out, length, error);
    });
    check(outcome.status, outcome.error, op, key.slot);
    return std::move(outcome.data);
  });
}

DriverInstance::Bytes DriverInstance::encrypt(const KeyRef& key, const CryptParams& params, const Bytes& plaintext) {
  const auto out = crypt(&kms_driver_v1::encrypt, "encrypt", key, params, {plaintext.begin(), plaintext.end()});
  return {out.begin(), out.end()};
}

keys::SecretBytes DriverInstance::decrypt(const KeyRef& key, const CryptParams& params, const Bytes& ciphertext) {
  return crypt(&kms_driver_v1::decrypt, "decrypt", key, params, {ciphertext.begin(), ciphertext.end()});
}

DriverInstance::Bytes DriverInstance::wrap(const KeyRef& wrappingKey, const CryptParams& params,
                                           const keys::SecretBytes& material) {
  const auto out = crypt(&kms_driver_v1::wrap, "wrap", wrappingKey, params, material);
  return {out.begin(), out.end()};
}

keys::SecretBytes DriverInstance::unwrap(const KeyRef& wrappingKey, const CryptParams& params, const Bytes& wrapped) {
  return crypt(&kms_driver_v1::unwrap, "unwrap", wrappingKey, params, {wrapped.begin(), wrapped.end()});
}

DriverInstance::Bytes DriverInstance::sign(const KeyRef& key, const CryptParams& params, const Bytes& data) {
  const auto out = crypt(&kms_driver_v1::sign, "sign", key, params, {data.begin(), data.end()});
  return {out.begin(), out.end()};
}

DriverInstance::Bytes DriverInstance::random(std::uint64_t slot, std::size_t length) {
  const auto fn = required(&kms_driver_v1::random, "random");
  return submit(slot, "random", [=, this] {
    Bytes out(length);
    kms_error error = emptyError();
    ++calls_;
    check(fn(handle_, slot, out.data(), out.size(), &error), error, "random", slot);
    return out;
  });
}

SlotStatus DriverInstance::slotStatus(std::uint64_t slot) {
  SlotStatus result;
  result.slot = slot;
  try {
    const auto fn = required(&kms_driver_v1::slot_status, "slot_status");
    return pooled(slot, "slot_status", statusTimeout_, [=, this] {
      SlotStatus status;
      status.slot = slot;
      std::int32_t accessible = 0;
      char label[64] = {};
      kms_error error = emptyError();
      ++calls_;
      const kms_status rc = fn(handle_, slot, &accessible, label, sizeof label, &error);
      if (rc != KMS_OK) {
        status.reason = StatusMapper::message(rc, error);
        return status;
      }
      status.accessible = accessible != 0;
      status.tokenLabel.assign(label, ::strnlen(label, sizeof label));
      if (!status.accessible) status.reason = "token not present or not answering";
      return status;
    });
  } catch (const std::exception& e) {
    result.reason = e.what();
  }
  return result;
}

bool DriverInstance::supports(std::uint64_t slot, Mechanism mechanism, std::optional<keys::Hash> hash) {
  requireAvailable("supports");
  const auto fn = module_->function(&kms_driver_v1::supports);
  if (fn == nullptr) return false;
  const std::int32_t algorithm = AbiVocabulary::algorithm(mechanism);
  const std::int32_t digest = AbiVocabulary::hash(hash);
  return submit(slot, "supports", [=, this] {
    std::int32_t supported = 0;
    kms_error error = emptyError();
    ++calls_;
    const kms_status rc = fn(handle_, slot, algorithm, digest, &supported, &error);
    if (rc == KMS_ERR_NOT_SUPPORTED) return false;
    check(rc, error, "supports", slot);
    return supported != 0;
  });
}

InstanceStatus DriverInstance::status() {
  InstanceStatus status;
  status.prefix = prefix();
  status.model = model_;
  status.available = available();
  status.reason = reason_;
  for (const auto slot : slots_) {
    status.slots.push_back(available() ? slotStatus(slot) : SlotStatus{slot, false, {}, reason_});
  }
  status.calls = callCount();
  return status;
}

}  // namespace kms::hsm
