#pragma once
// Process-wide memory hygiene of the keys room, set up once by kmsd at start, before any other
// OpenSSL call: freed OpenSSL memory is wiped, and key bytes held by the unwrapped-key cache
// live in locked pages (LockedBytes).
#include <cstddef>
#include <string>

namespace kms::keys {

class SecureHeap {
 public:
  struct Status {
    bool locked = false;  // the secure heap exists and its pages are locked
    std::string problem;  // why not, for a start-up warning (empty when locked)
  };

  // Makes OpenSSL wipe every block it frees (TLS records, BIGNUMs, cipher contexts). Must run
  // before OpenSSL allocates anything; false when it was too late.
  static bool wipeOpenSslFrees() noexcept;
  // Sets up OpenSSL's secure heap of `bytes` (a power of two) for LockedBytes and OpenSSL's
  // own secure allocations. 0 disables it.
  static Status lock(std::size_t bytes);
};

}  // namespace kms::keys
