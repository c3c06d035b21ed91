#include "kms/keys/Digest.hpp"

#include <openssl/evp.h>

#include "kms/keys/Algorithms.hpp"
#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {

Bytes Digest::digest(Hash hash, ByteView data) {
  const EVP_MD* md = Algorithms::digest(hash);
  Bytes out(Algorithms::digestLength(hash));
  unsigned int written = 0;
  // EVP_Digest with a pre-fetched EVP_MD: no per-call provider lookup.
  if (EVP_Digest(data.data(), data.size(), out.data(), &written, md, nullptr) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "digest failed");
  }
  out.resize(written);
  return out;
}

Bytes Digest::sha256(ByteView data) {
  return digest(Hash::Sha256, data);
}

std::size_t Digest::length(Hash hash) noexcept {
  return Algorithms::digestLength(hash);
}

}  // namespace kms::keys
