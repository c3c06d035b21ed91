#pragma once
// One opened driver instance: a library, the quirk settings, the host services and the
// configured slots. Its methods are the kms_driver_v1 operations in C++ terms; DriverAdapter
// converts at the C boundary. Thread-safe: slots serialise what must be serialised.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kms/driver.h"
#include "kms/pkcs11/Call.hpp"
#include "kms/pkcs11/CryptParams.hpp"
#include "kms/pkcs11/Host.hpp"
#include "kms/pkcs11/KeyInfo.hpp"
#include "kms/pkcs11/KeyRef.hpp"
#include "kms/pkcs11/Library.hpp"
#include "kms/pkcs11/Mechanism.hpp"
#include "kms/pkcs11/ModelDescriptor.hpp"
#include "kms/pkcs11/RsaDer.hpp"
#include "kms/pkcs11/SecureBytes.hpp"
#include "kms/pkcs11/Settings.hpp"
#include "kms/pkcs11/Slot.hpp"

namespace kms::pkcs11 {

class Instance {
 public:
  // Library path: params->library_path, else $<MODEL>_PKCS11_LIB, else the model's default.
  // Logs in to every slot now, so that a wrong PIN stops the start; a token that is absent
  // only logs a warning (the slot recovers when it comes back). Throws Error.
  [[nodiscard]] static std::unique_ptr<Instance> open(const ModelDescriptor& model, const kms_open_params* params);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // (accessible, token label); never throws for an absent token, only for an unknown slot.
  [[nodiscard]] std::pair<bool, std::string> slotStatus(std::uint64_t slotId);
  [[nodiscard]] KeyInfo generate(const kms_generate_request& request);
  [[nodiscard]] KeyInfo find(const KeyRef& ref);
  [[nodiscard]] std::vector<KeyInfo> list(std::uint64_t slotId);
  [[nodiscard]] SecureBytes exportKey(const KeyRef& ref, std::int32_t format);
  void destroy(const KeyRef& ref);
  [[nodiscard]] SecureBytes crypt(Operation operation, const KeyRef& ref, const CryptParams& params, ByteView input);
  [[nodiscard]] std::uint64_t cryptBound(Operation operation, const KeyRef& ref, const CryptParams& params,
                                         std::uint64_t inputLength);
  [[nodiscard]] SecureBytes sign(const KeyRef& ref, const CryptParams& params, ByteView data);
  [[nodiscard]] std::uint64_t signBound(const KeyRef& ref, const CryptParams& params);
  void random(std::uint64_t slotId, std::uint8_t* out, std::uint64_t length);
  [[nodiscard]] bool supports(std::uint64_t slotId, std::int32_t algorithm, std::int32_t hash);

  [[nodiscard]] const Host& host() const noexcept { return host_; }

 private:
  Instance(const ModelDescriptor& model, Settings settings, std::shared_ptr<Library> library, Host host);
  Slot& slot(std::uint64_t slotId);
  void addSlot(const kms_slot_config& config);
  void connect(Slot& slot);

  const ModelDescriptor& model_;
  Host host_;
  Settings settings_;
  std::shared_ptr<Library> library_;
  Call call_;
  std::map<std::uint64_t, std::unique_ptr<Slot>> slots_;  // last: closes sessions first
};

}  // namespace kms::pkcs11
