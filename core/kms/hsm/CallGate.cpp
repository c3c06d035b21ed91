#include "kms/hsm/CallGate.hpp"

#include "kms/driver.h"

namespace kms::hsm {

CallGate::CallGate(std::int32_t threadModel) : threadModel_(threadModel) {}

std::unique_lock<std::mutex> CallGate::enter(std::uint64_t slot) {
  switch (threadModel_) {
    case KMS_THREAD_SERIALIZE_ALL:
      return std::unique_lock(all_);
    case KMS_THREAD_SERIALIZE_SLOT: {
      std::mutex* mutex = nullptr;
      {
        const std::lock_guard lock(slotsMutex_);
        mutex = &slots_[slot];
      }
      return std::unique_lock(*mutex);
    }
    default:
      return {};
  }
}

}  // namespace kms::hsm
