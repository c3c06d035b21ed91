#pragma once
// One configured slot: its login, its session pool, its key handle cache and its mechanism
// list. Every operation runs through run(), which leases a session and recovers once from a
// lost session or login (CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
// CKR_USER_NOT_LOGGED_IN, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT): it closes the pool's
// sessions, opens new ones, logs in again and retries the call. A stale object handle clears
// the handle cache and the idle sessions (re-checking the login) and retries once too. Any other failure is the
// caller's.
#include <cstdint>
#include <mutex>
#include <string>
#include <type_traits>

#include "kms/pkcs11/Call.hpp"
#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/HandleCache.hpp"
#include "kms/pkcs11/Host.hpp"
#include "kms/pkcs11/MechanismSet.hpp"
#include "kms/pkcs11/ReturnCodes.hpp"
#include "kms/pkcs11/SecureBytes.hpp"
#include "kms/pkcs11/SessionPool.hpp"
#include "kms/pkcs11/Settings.hpp"

namespace kms::pkcs11 {

class Slot {
 public:
  // pin: KMS_LOGIN_USER only; kept in wiped memory for re-login after recovery.
  Slot(const Call& call, const Host& host, const Settings& settings, CK_SLOT_ID id, std::int32_t loginMode,
       SecureBytes pin);
  ~Slot();
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  [[nodiscard]] CK_SLOT_ID id() const noexcept { return id_; }
  [[nodiscard]] std::int32_t loginMode() const noexcept { return loginMode_; }
  // Whether objects we create may be private (CKA_PRIVATE): only when logged in.
  [[nodiscard]] bool loggedIn() const noexcept { return loginMode_ != KMS_LOGIN_NONE; }
  [[nodiscard]] const Call& call() const noexcept { return call_; }
  [[nodiscard]] const Settings& settings() const noexcept { return settings_; }
  [[nodiscard]] const Host& host() const noexcept { return host_; }
  [[nodiscard]] HandleCache& cache() noexcept { return cache_; }

  // The token's mechanisms, probed on first use (throws when the token does not answer).
  [[nodiscard]] const MechanismSet& mechanisms();

  // Opens a session and logs in now: used at open so that a wrong PIN stops the start.
  void connect();

  // Runs fn(CK_SESSION_HANDLE) on a leased session, with the recovery described above.
  template <class Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<Fn&, CK_SESSION_HANDLE> {
    bool recovered = false;
    bool refreshed = false;
    for (;;) {
      try {
        SessionLease lease = pool_.acquire();
        try {
          return fn(lease.handle());
        } catch (const Error& failure) {
          if (ReturnCodes::recoverable(failure.vendorCode())) lease.markBroken();
          throw;
        }
      } catch (const Error& failure) {
        const auto rv = failure.vendorCode();
        if (!recovered && ReturnCodes::recoverable(rv)) {
          recovered = true;
          recover(failure);
          continue;
        }
        if (!refreshed && ReturnCodes::staleHandle(rv)) {
          // The object is gone, or hidden because the token was logged out behind our back
          // (private objects then read as invalid handles): fresh handles, fresh sessions.
          refreshed = true;
          cache_.clear();
          pool_.reset();
          continue;
        }
        throw;
      }
    }
  }

 private:
  CK_SESSION_HANDLE openSession();
  void closeSession(CK_SESSION_HANDLE session) noexcept;
  void login(CK_SESSION_HANDLE session);
  void recover(const Error& cause);

  const Call& call_;
  const Host& host_;
  const Settings& settings_;
  const CK_SLOT_ID id_;
  const std::int32_t loginMode_;
  SecureBytes pin_;
  HandleCache cache_;
  std::mutex mechanismMutex_;
  bool mechanismsProbed_ = false;
  MechanismSet mechanisms_;
  SessionPool pool_;  // last: its destructor closes sessions through the members above
};

}  // namespace kms::pkcs11
