#include "kms/keys/SecretBytes.hpp"

#include <openssl/crypto.h>

namespace kms::keys {

// OPENSSL_cleanse rather than memset: the compiler may not elide it as a dead store.
void secureZero(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) {
    OPENSSL_cleanse(data, size);
  }
}

}  // namespace kms::keys
