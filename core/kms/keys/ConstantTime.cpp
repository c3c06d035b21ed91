#include "kms/keys/ConstantTime.hpp"

#include <openssl/crypto.h>

namespace kms::keys {

bool constantTimeEquals(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kms::keys
