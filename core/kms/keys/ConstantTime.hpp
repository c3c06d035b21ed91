#pragma once
// Comparison of secrets (MACs, tokens, password hashes) whose running time does not depend on
// where the inputs first differ, so that an attacker cannot guess a secret byte by byte.
#include "kms/keys/CryptoKey.hpp"

namespace kms::keys {

// True when both views hold the same bytes. Only the lengths leak through timing: a length
// mismatch returns false at once (lengths of MACs and tokens are public).
[[nodiscard]] bool constantTimeEquals(ByteView a, ByteView b) noexcept;

}  // namespace kms::keys
