#include "kms/SecureBytes.hpp"

#include <cstring>

namespace kms {

// glibc's explicit_bzero: a memset the optimiser must keep, without pulling OpenSSL into the
// base library that the codecs link.
void secureZero(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) explicit_bzero(data, size);
}

}  // namespace kms
