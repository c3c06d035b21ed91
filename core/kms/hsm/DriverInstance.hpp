#pragma once
// One opened HSM instance: a driver module, its kms_instance, the host services it was given,
// the gate that enforces its thread model, and what its calls run on. The C++ methods are what
// the operation handlers use; every failure is a kms::Exception with the ErrorCode of the
// driver's status (StatusMapper).
//
// Where calls run (InstanceConfig::inlineCalls, on by default): on the caller's thread, an HTTP
// thread included, because handing each call to a worker and back cost more CPU than the HSM
// call itself. InlineCalls bounds them to `threads` at once, as the pool did (pool calls come
// on top: up to `threads` probes or fallback calls may run beside them). The price: an
// inline call cannot be abandoned; if the HSM hangs, its caller waits for the HSM. That is why
// a call running longer than callTimeout marks the HSM as hung: until it returns, new calls go
// through the WorkerPool, which answers Unavailable after callTimeout, so that requests fail
// fast instead of piling up on the hung HSM. Slot probes always use the pool: a status page
// must answer within statusTimeout, whatever the HSM does.
//
// Destruction waits for the calls in flight (inline and on the pool) before closing the
// driver, but callers must be gone before it starts (the registry destroys instances after the
// HTTP server stopped): an inline caller still uses the instance after its driver call.
//
// An instance that could not open and is not critical exists in the "unavailable" state: every
// call answers Unavailable with the reason, and status() reports it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kms/driver.h"
#include "kms/hsm/CallGate.hpp"
#include "kms/hsm/CryptParams.hpp"
#include "kms/hsm/DriverModule.hpp"
#include "kms/hsm/ExportFormat.hpp"
#include "kms/hsm/HostServices.hpp"
#include "kms/hsm/InlineCalls.hpp"
#include "kms/hsm/InstanceConfig.hpp"
#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyInfoCache.hpp"
#include "kms/hsm/KeyProtection.hpp"
#include "kms/hsm/KeyRef.hpp"
#include "kms/hsm/KeyUsage.hpp"
#include "kms/hsm/Mechanism.hpp"
#include "kms/hsm/SlotStatus.hpp"
#include "kms/hsm/WorkerPool.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::hsm {

class DriverInstance {
 public:
  using Bytes = kms::SecureBytes;  // as kmip::Ttlv::Bytes: plaintexts and key material pass through

  // Opens `config` with `module` under `name` ("softhsm2_1"). Throws kms::Exception when the
  // driver refuses (the caller applies the critical policy).
  [[nodiscard]] static std::unique_ptr<DriverInstance> open(std::string name, std::shared_ptr<DriverModule> module,
                                                            const InstanceConfig& config);
  // An instance that failed to open: every call answers Unavailable with `reason`.
  [[nodiscard]] static std::unique_ptr<DriverInstance> unavailable(std::string name, const InstanceConfig& config,
                                                                   std::string reason);

  ~DriverInstance();
  DriverInstance(const DriverInstance&) = delete;
  DriverInstance& operator=(const DriverInstance&) = delete;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }  // "softhsm2_1"
  [[nodiscard]] std::string prefix() const { return "hsm::" + name_; }
  [[nodiscard]] const std::string& model() const noexcept { return model_; }
  [[nodiscard]] bool available() const noexcept { return handle_ != nullptr; }
  [[nodiscard]] const std::string& unavailableReason() const noexcept { return reason_; }
  [[nodiscard]] const std::vector<std::string>& admins() const noexcept { return admins_; }
  [[nodiscard]] bool fromFlatForm() const noexcept { return fromFlatForm_; }
  [[nodiscard]] std::vector<std::uint64_t> slots() const { return slots_; }
  [[nodiscard]] std::int32_t threadModel() const noexcept;
  // Driver calls made so far (each attempt of the two-call convention counts): lets tests and
  // the metrics endpoint show that a cache hit made no HSM call.
  [[nodiscard]] std::uint64_t callCount() const noexcept { return calls_.load(); }

  // An empty `usage`: the driver's default usage for the key type.
  KeyInfo generateAes(std::uint64_t slot, const std::string& label, std::uint32_t bits, KeyProtection protection,
                      KeyUsage usage = {}, const Bytes& id = {});
  // The private key is `label`; its public key `label` + "_pk".
  KeyInfo generateRsa(std::uint64_t slot, const std::string& label, std::uint32_t bits, KeyProtection protection,
                      KeyUsage usage = {}, const Bytes& id = {});
  KeyInfo find(const KeyRef& key);
  // find(), answered from a cache of a few seconds (KeyInfoCache): for requests that then use
  // the key in the HSM anyway, where a stale answer costs nothing but that use's failure.
  KeyInfo describe(const KeyRef& key);
  std::vector<KeyInfo> list(std::uint64_t slot);
  keys::SecretBytes exportKey(const KeyRef& key, ExportFormat format);
  void destroy(const KeyRef& key);
  Bytes encrypt(const KeyRef& key, const CryptParams& params, const Bytes& plaintext);
  keys::SecretBytes decrypt(const KeyRef& key, const CryptParams& params, const Bytes& ciphertext);
  Bytes wrap(const KeyRef& wrappingKey, const CryptParams& params, const keys::SecretBytes& material);
  keys::SecretBytes unwrap(const KeyRef& wrappingKey, const CryptParams& params, const Bytes& wrapped);
  Bytes sign(const KeyRef& key, const CryptParams& params, const Bytes& data);
  Bytes random(std::uint64_t slot, std::size_t length);
  // Never throws: a probe that fails or times out (statusTimeout) reports why.
  SlotStatus slotStatus(std::uint64_t slot);
  // Whether the token offers `mechanism` (with `hash`, for the RSA ones) on `slot`.
  bool supports(std::uint64_t slot, Mechanism mechanism, std::optional<keys::Hash> hash = std::nullopt);
  InstanceStatus status();

 private:
  DriverInstance(std::string name, const InstanceConfig& config);

  void requireAvailable(std::string_view operation) const;
  template <class Fn>
  Fn required(Fn kms_driver_v1::*member, std::string_view operation) const;
  // Runs body under the gate of `slot`: inline when InlineCalls gives it a slot, else on the pool
  // with callTimeout.
  template <class Fn>
  auto submit(std::uint64_t slot, std::string_view operation, Fn body);
  // Runs body on the pool under the gate of `slot`; the caller waits at most `timeout` (slot
  // probes, whose bound must hold whatever the HSM does, and submit()'s fallback).
  template <class Fn>
  auto pooled(std::uint64_t slot, std::string_view operation, std::chrono::milliseconds timeout, Fn body);
  void check(kms_status status, const kms_error& error, std::string_view operation, std::uint64_t slot,
             bool exporting = false) const;
  KeyInfo generate(KeyType keyType, std::uint64_t slot, const std::string& label, std::uint32_t bits,
                   KeyProtection protection, KeyUsage usage, const Bytes& id);
  // encrypt, decrypt, wrap, unwrap and sign share one signature; inputs are copied into the
  // task (a timed-out caller leaves) and wiped with it.
  using CryptFn = decltype(kms_driver_v1::encrypt);
  keys::SecretBytes crypt(CryptFn kms_driver_v1::*member, std::string_view operation, const KeyRef& key,
                          const CryptParams& params, keys::SecretBytes in);

  std::string name_;
  std::string model_;
  std::string reason_;
  std::vector<std::string> admins_;
  std::vector<std::uint64_t> slots_;
  bool fromFlatForm_ = false;
  std::chrono::milliseconds callTimeout_;
  std::chrono::milliseconds statusTimeout_;
  std::shared_ptr<DriverModule> module_;
  std::unique_ptr<HostServices> host_;
  std::unique_ptr<CallGate> gate_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<InlineCalls> inline_;  // null: every call goes through pool_
  kms_instance* handle_ = nullptr;
  std::atomic<std::uint64_t> calls_{0};
  KeyInfoCache keyInfo_{std::chrono::seconds(5)};
};

}  // namespace kms::hsm
