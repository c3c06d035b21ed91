#include "kms/keys/Algorithms.hpp"

#include <array>

#include <openssl/evp.h>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslHandles.hpp"
#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {
namespace {

constexpr std::array<Hash, 5> kHashes = {Hash::Sha1, Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512};
constexpr std::array<CipherMode, 3> kModes = {CipherMode::GCM, CipherMode::CBC, CipherMode::ECB};
constexpr std::array<std::size_t, 3> kAesKeyBytes = {16, 24, 32};

std::size_t hashIndex(Hash hash) noexcept {
  return static_cast<std::size_t>(hash);
}

const char* aesName(CipherMode mode, std::size_t keyBytes) noexcept {
  static constexpr const char* kNames[3][3] = {
      {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
      {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
      {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB"},
  };
  const std::size_t m = mode == CipherMode::GCM ? 0 : mode == CipherMode::CBC ? 1 : 2;
  return kNames[m][(keyBytes - 16) / 8];
}

// Fetched together on first use: a function-local static is initialised exactly once even
// under concurrent first calls. A missing algorithm stays null and fails only when used.
struct Fetched {
  std::array<MdPtr, kHashes.size()> digests;
  std::array<std::array<CipherPtr, 3>, 3> ciphers;

  Fetched() {
    for (const Hash h : kHashes) {
      digests[hashIndex(h)].reset(EVP_MD_fetch(nullptr, Algorithms::digestName(h), nullptr));
    }
    for (std::size_t m = 0; m < kModes.size(); ++m) {
      for (std::size_t k = 0; k < kAesKeyBytes.size(); ++k) {
        ciphers[m][k].reset(EVP_CIPHER_fetch(nullptr, aesName(kModes[m], kAesKeyBytes[k]), nullptr));
      }
    }
    clearOpenSslErrors();  // a failed fetch queues an error nobody will read
  }
};

const Fetched& fetched() {
  static const Fetched instance;
  return instance;
}

}  // namespace

const char* Algorithms::digestName(Hash hash) noexcept {
  switch (hash) {
    case Hash::Sha1:
      return "SHA1";
    case Hash::Sha224:
      return "SHA2-224";
    case Hash::Sha256:
      return "SHA2-256";
    case Hash::Sha384:
      return "SHA2-384";
    case Hash::Sha512:
      return "SHA2-512";
  }
  return "SHA2-256";  // unreachable for valid enumerators
}

std::size_t Algorithms::digestLength(Hash hash) noexcept {
  switch (hash) {
    case Hash::Sha1:
      return 20;
    case Hash::Sha224:
      return 28;
    case Hash::Sha256:
      return 32;
    case Hash::Sha384:
      return 48;
    case Hash::Sha512:
      return 64;
  }
  return 32;
}

const EVP_MD* Algorithms::digest(Hash hash) {
  const std::size_t i = hashIndex(hash);
  if (i >= kHashes.size()) {
    throw Exception(ErrorCode::BadCryptographicParameters, "unknown hash algorithm");
  }
  const EVP_MD* md = fetched().digests[i].get();
  if (md == nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    std::string("digest not available from the OpenSSL providers: ") + digestName(hash));
  }
  return md;
}

const EVP_CIPHER* Algorithms::aes(CipherMode mode, std::size_t keyBytes) {
  if (mode != CipherMode::GCM && mode != CipherMode::CBC && mode != CipherMode::ECB) {
    throw Exception(ErrorCode::BadCryptographicParameters, "AES needs a block cipher mode (GCM, CBC or ECB)");
  }
  if (keyBytes != 16 && keyBytes != 24 && keyBytes != 32) {
    throw Exception(ErrorCode::InvalidField, "AES key must be 16, 24 or 32 bytes");
  }
  const std::size_t m = mode == CipherMode::GCM ? 0 : mode == CipherMode::CBC ? 1 : 2;
  const EVP_CIPHER* cipher = fetched().ciphers[m][(keyBytes - 16) / 8].get();
  if (cipher == nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    std::string("cipher not available from the OpenSSL providers: ") + aesName(mode, keyBytes));
  }
  return cipher;
}

}  // namespace kms::keys
