#pragma once
// Runs a PKCS#11 call that produces output with a guessed buffer and, on CKR_BUFFER_TOO_SMALL
// (which leaves the operation active), again with the length the token asked for: one call in
// the common case instead of the query-then-fetch pair.
#include <cstddef>

#include "kms/pkcs11/Call.hpp"
#include "kms/pkcs11/SecureBytes.hpp"

namespace kms::pkcs11 {

class TwoCall {
 public:
  // Appends the output of fn(CK_BYTE* out, CK_ULONG* length) -> CK_RV to `out`.
  template <class Fn>
  static void append(SecureBytes& out, std::size_t guess, const char* name, CK_SLOT_ID slotId, Fn&& fn) {
    const std::size_t base = out.size();
    const std::size_t room = guess == 0 ? 16 : guess;
    out.resize(base + room);
    CK_ULONG length = room;
    CK_RV rv = fn(out.data() + base, &length);
    if (rv == CKR_BUFFER_TOO_SMALL && length > room) {
      out.resize(base + length);
      rv = fn(out.data() + base, &length);
    }
    if (rv != CKR_OK) {
      out.resize(base);
      Call::check(rv, name, slotId);
    }
    out.resize(base + length);
  }
};

}  // namespace kms::pkcs11
