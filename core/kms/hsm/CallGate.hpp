#pragma once
// Enforces the thread model a driver declares (kms_driver_info.thread_model): SERIALIZE_ALL
// takes one mutex per instance, SERIALIZE_SLOT one mutex per slot, SAFE none. Inline calls and
// the worker pool may run many calls at once; the gate keeps a driver that cannot take that safe.
#include <cstdint>
#include <map>
#include <mutex>

namespace kms::hsm {

class CallGate {
 public:
  explicit CallGate(std::int32_t threadModel);

  CallGate(const CallGate&) = delete;
  CallGate& operator=(const CallGate&) = delete;

  // Held for the duration of one driver call on `slot`; an empty lock for a thread-safe driver.
  [[nodiscard]] std::unique_lock<std::mutex> enter(std::uint64_t slot);
  [[nodiscard]] std::int32_t threadModel() const noexcept { return threadModel_; }

 private:
  std::int32_t threadModel_;
  std::mutex all_;
  std::mutex slotsMutex_;                      // guards slots_ (not the calls)
  std::map<std::uint64_t, std::mutex> slots_;  // node-based: a mutex never moves
};

}  // namespace kms::hsm
