#include "kms/pkcs11/Slot.hpp"

#include <fmt/format.h>

namespace kms::pkcs11 {

Slot::Slot(const Call& call, const Host& host, const Settings& settings, CK_SLOT_ID id, std::int32_t loginMode,
           SecureBytes pin)
    : call_(call),
      host_(host),
      settings_(settings),
      id_(id),
      loginMode_(loginMode),
      pin_(std::move(pin)),
      pool_(
          settings.sessionPoolSize, [this] { return openSession(); },
          [this](CK_SESSION_HANDLE session) { closeSession(session); }) {}

Slot::~Slot() {
  pool_.closeAll();
}

const MechanismSet& Slot::mechanisms() {
  const std::lock_guard lock(mechanismMutex_);
  if (!mechanismsProbed_) {
    mechanisms_.probe(call_, id_);
    mechanismsProbed_ = true;
  }
  return mechanisms_;
}

void Slot::connect() {
  run([](CK_SESSION_HANDLE) { return 0; });
}

CK_SESSION_HANDLE Slot::openSession() {
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  CK_RV rv = KMS_P11(call_, C_OpenSession, id_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session);
  // A write-protected token still serves read-only work (crypto with existing keys).
  if (rv == CKR_TOKEN_WRITE_PROTECTED) {
    rv = KMS_P11(call_, C_OpenSession, id_, CKF_SERIAL_SESSION, nullptr, nullptr, &session);
  }
  Call::check(rv, "C_OpenSession", id_);
  try {
    login(session);
  } catch (...) {
    closeSession(session);
    throw;
  }
  return session;
}

void Slot::closeSession(CK_SESSION_HANDLE session) noexcept {
  // Fails harmlessly when the session is already gone (that is why we are closing it).
  (void)KMS_P11(call_, C_CloseSession, session);
}

void Slot::login(CK_SESSION_HANDLE session) {
  if (loginMode_ == KMS_LOGIN_NONE) return;
  // The login state is per token and process: a new session of a logged-in token is logged in.
  CK_SESSION_INFO info{};
  if (KMS_P11(call_, C_GetSessionInfo, session, &info) == CKR_OK &&
      (info.state == CKS_RW_USER_FUNCTIONS || info.state == CKS_RO_USER_FUNCTIONS)) {
    return;
  }
  const bool nullPin = loginMode_ == KMS_LOGIN_NULL_PIN;
  const CK_RV rv = nullPin ? KMS_P11(call_, C_Login, session, CKU_USER, nullptr, 0UL)
                           : KMS_P11(call_, C_Login, session, CKU_USER, pin_.data(), CK_ULONG(pin_.size()));
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return;
  if (ReturnCodes::status(rv) == KMS_ERR_DEVICE_UNAVAILABLE) throw Error::fromRv("C_Login", rv, id_);
  // Any other refusal of a login is an authentication failure, whatever code the library
  // chose (SoftHSM2 answers a NULL PIN with CKR_ARGUMENTS_BAD). Never the PIN in the message.
  throw Error(
      KMS_ERR_AUTH_FAILED,
      fmt::format("C_Login{} failed: {} on slot {}", nullPin ? " with a NULL PIN" : "", ReturnCodes::name(rv), id_),
      rv);
}

void Slot::recover(const Error& cause) {
  host_.log(KMS_LOG_WARNING, fmt::format("{}; closing the sessions of slot {}, opening new ones and logging in again",
                                         cause.what(), id_));
  cache_.clear();
  pool_.reset();
}

}  // namespace kms::pkcs11
