#pragma once
// AES-256-GCM of the chunks of an envelope file, done locally with OpenSSL, in the STREAM
// construction (Hoang, Reyhanitabar, Rogaway, Vizar 2015): chunk i's 12-byte nonce is the
// file's random 7-byte prefix | i (4 bytes, big-endian) | 1 for the last chunk, else 0. A
// chunk moved, dropped or taken for the last one fails its tag. Every chunk's AAD is the
// same (the file's header, then the user's authentication data). One EVP context, keyed once,
// serves all the chunks: only the nonce changes between them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <openssl/types.h>

#include "kms/SecureBytes.hpp"

namespace kms::cli {

class ChunkCipher {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kTagSize = 16;
  static constexpr std::size_t kPrefixSize = 7;

  ChunkCipher(bool encrypt, const kms::SecureBytes& key, const std::array<std::uint8_t, kPrefixSize>& prefix,
              std::vector<std::uint8_t> aad);
  ~ChunkCipher();
  ChunkCipher(const ChunkCipher&) = delete;
  ChunkCipher& operator=(const ChunkCipher&) = delete;

  // Encrypts `size` bytes in place and writes the tag.
  void seal(std::uint32_t index, bool last, std::uint8_t* data, std::size_t size, std::uint8_t* tag);
  // Decrypts `size` bytes in place; false when the tag does not verify (the bytes are then
  // wiped: nothing unauthenticated is left to use).
  bool open(std::uint32_t index, bool last, std::uint8_t* data, std::size_t size, const std::uint8_t* tag);

 private:
  void start(std::uint32_t index, bool last);

  EVP_CIPHER_CTX* context_;
  bool encrypt_;
  std::array<std::uint8_t, kPrefixSize> prefix_;
  std::vector<std::uint8_t> aad_;
};

}  // namespace kms::cli
