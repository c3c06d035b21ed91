#pragma once
// The OpenSSL algorithm objects the key layer uses, fetched once per process. EVP_*_fetch
// takes a global lock and a provider lookup (microseconds); a hot path that encrypts tens of
// thousands of times a second must not pay that per call.
#include <cstddef>

#include <openssl/types.h>

#include "kms/keys/CryptoKey.hpp"

namespace kms::keys {

class Algorithms {
 public:
  // OpenSSL's name of a digest ("SHA2-256"), as OSSL_PARAM digest names want it.
  [[nodiscard]] static const char* digestName(Hash hash) noexcept;
  [[nodiscard]] static std::size_t digestLength(Hash hash) noexcept;
  // Fetched once; never null (throws FeatureNotSupported if the provider lacks it).
  [[nodiscard]] static const EVP_MD* digest(Hash hash);
  // AES-{128,192,256}-{GCM,CBC,ECB}; throws BadCryptographicParameters for CipherMode::None.
  [[nodiscard]] static const EVP_CIPHER* aes(CipherMode mode, std::size_t keyBytes);
};

}  // namespace kms::keys
