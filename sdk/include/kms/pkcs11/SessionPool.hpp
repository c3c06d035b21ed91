#pragma once
// A bounded pool of open sessions for one slot. PKCS#11 sessions are cheap to reuse and costly
// to open on network HSMs, and a session runs one operation at a time, so each call leases
// one. At most `size` sessions are open; further callers wait. reset() starts a new
// generation after a lost session or login: idle sessions are closed at once, leased ones when
// they come back, and new leases get freshly opened (and logged-in) sessions.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "kms/pkcs11/SessionLease.hpp"

namespace kms::pkcs11 {

class SessionPool {
 public:
  using Opener = std::function<CK_SESSION_HANDLE()>;      // throws Error
  using Closer = std::function<void(CK_SESSION_HANDLE)>;  // never throws

  SessionPool(std::uint32_t size, Opener open, Closer close);
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  [[nodiscard]] SessionLease acquire();
  void reset();
  // Closes the idle sessions; for close of the instance (leases must all be back).
  void closeAll();
  [[nodiscard]] std::uint32_t openCount() const;

 private:
  friend class SessionLease;
  void release(CK_SESSION_HANDLE handle, std::uint64_t generation, bool broken) noexcept;

  const std::uint32_t size_;
  Opener opener_;
  Closer closer_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<CK_SESSION_HANDLE> idle_;
  std::uint32_t openCount_ = 0;  // idle + leased
  std::uint64_t generation_ = 0;
};

}  // namespace kms::pkcs11
