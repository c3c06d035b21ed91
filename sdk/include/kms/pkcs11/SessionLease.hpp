#pragma once
// A session borrowed from a slot's SessionPool; returned when the lease ends. A lease whose
// session failed with a lost-session code is marked broken, so the pool closes it instead of
// handing it out again.
#include <cstdint>

#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

class SessionPool;

class SessionLease {
 public:
  SessionLease(SessionPool* pool, CK_SESSION_HANDLE handle, std::uint64_t generation) noexcept
      : pool_(pool), handle_(handle), generation_(generation) {}
  ~SessionLease();
  SessionLease(SessionLease&& other) noexcept;
  SessionLease& operator=(SessionLease&&) = delete;
  SessionLease(const SessionLease&) = delete;
  SessionLease& operator=(const SessionLease&) = delete;

  [[nodiscard]] CK_SESSION_HANDLE handle() const noexcept { return handle_; }
  void markBroken() noexcept { broken_ = true; }

 private:
  SessionPool* pool_;
  CK_SESSION_HANDLE handle_;
  std::uint64_t generation_;
  bool broken_ = false;
};

}  // namespace kms::pkcs11
