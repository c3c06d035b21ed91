#pragma once
// Every PKCS#11 call of the engine goes through Call::invoke (via KMS_P11 / KMS_P11_CHECK), so
// that one place knows the function's name, maps its CK_RV, and traces it: with the `trace`
// setting each call is logged at KMS_LOG_TRACE with its name, return code and duration - never
// its arguments, which may hold PINs, key bytes or plaintext.
#include <chrono>
#include <cstdint>
#include <utility>

#include "kms/pkcs11/Host.hpp"
#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

class Call {
 public:
  Call(CK_FUNCTION_LIST* functions, const Host* host, bool trace) noexcept
      : functions_(functions), host_(host), trace_(trace) {}

  [[nodiscard]] CK_FUNCTION_LIST* functions() const noexcept { return functions_; }

  // A missing entry in the function list reads as CKR_FUNCTION_NOT_SUPPORTED.
  template <class Fn, class... Args>
  CK_RV invoke(const char* name, Fn fn, Args&&... args) const {
    if (fn == nullptr) return CKR_FUNCTION_NOT_SUPPORTED;
    if (!trace_) return fn(std::forward<Args>(args)...);
    const auto start = std::chrono::steady_clock::now();
    const CK_RV rv = fn(std::forward<Args>(args)...);
    traceCall(name, rv, std::chrono::steady_clock::now() - start);
    return rv;
  }

  // Throws Error::fromRv(name, rv, slotId) unless rv is CKR_OK.
  static void check(CK_RV rv, const char* name, std::uint64_t slotId);

 private:
  void traceCall(const char* name, CK_RV rv, std::chrono::steady_clock::duration took) const noexcept;

  CK_FUNCTION_LIST* functions_;
  const Host* host_;
  bool trace_;
};

}  // namespace kms::pkcs11

// KMS_P11(call, C_Encrypt, session, ...) -> CK_RV
#define KMS_P11(call, fn, ...) (call).invoke(#fn, (call).functions()->fn, __VA_ARGS__)
// KMS_P11_CHECK(call, slotId, C_Encrypt, session, ...): throws Error unless CKR_OK.
#define KMS_P11_CHECK(call, slotId, fn, ...) ::kms::pkcs11::Call::check(KMS_P11(call, fn, __VA_ARGS__), #fn, (slotId))
