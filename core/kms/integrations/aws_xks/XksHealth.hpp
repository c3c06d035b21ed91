#pragma once
// GetHealthStatus's answer, kept ready by a background probe: AWS KMS gives every call 250 ms,
// a slot probe may take up to the HSM's status timeout, and the specification allows a cached
// result of up to one minute. Every `interval` a thread probes each HSM instance (the same
// status the HSM Status page shows) and rebuilds the answer; a request only copies it.
//
// Each instance is one ekmFleetDetails entry (at most ten): ACTIVE when every slot answers,
// DEGRADED when some do, UNAVAILABLE when none does or the instance could not open. Without an
// HSM the one entry is kmsd's database key store.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace kms::hsm {
class HsmRegistry;
}

namespace kms::integrations::aws_xks {

class XksHealth {
 public:
  // `hsm` may be nullptr. Probes once before returning, so the first answer is real.
  XksHealth(hsm::HsmRegistry* hsm, std::chrono::milliseconds interval = std::chrono::seconds(10));
  ~XksHealth();
  XksHealth(const XksHealth&) = delete;
  XksHealth& operator=(const XksHealth&) = delete;

  // The JSON text of the 200 answer.
  [[nodiscard]] std::string answer() const;

 private:
  void probe();
  void run();

  hsm::HsmRegistry* hsm_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string answer_;
  std::thread thread_;
};

}  // namespace kms::integrations::aws_xks
