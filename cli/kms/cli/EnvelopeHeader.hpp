#pragma once
// The header of an envelope file (docs/file-format.md, byte by byte): what decrypting it needs
// besides the key: the KMS key's UID, the data key as the server wrapped it and how, the chunk
// size and the per-file nonce prefix of the chunks. Every chunk authenticates the header's
// bytes (as AAD), so a header changed in any byte makes chunk 0 fail.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kms::cli {

class InputFile;

struct EnvelopeHeader {
  // 0x89 "KMSENV" 0x0A: not text (0x89), and a line end that a text-mode transfer would mangle.
  static constexpr std::array<std::uint8_t, 8> kMagic{0x89, 'K', 'M', 'S', 'E', 'N', 'V', 0x0A};
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kPrefixSize = 7;
  static constexpr std::uint32_t kMinChunkSize = 4096;
  static constexpr std::uint32_t kMaxChunkSize = 16U << 20;
  static constexpr std::size_t kMaxUidSize = 1024;
  static constexpr std::size_t kMaxWrappedKeySize = 4096;

  // How the server wrapped the data key: the parameters of the KMIP Encrypt that made it.
  enum class Wrap : std::uint8_t {
    AesGcm = 1,    // kms sym encrypt: 12-byte nonce | 32-byte ciphertext | 16-byte tag
    RsaOaep = 2,   // kms rsa encrypt -e ckm-rsa-pkcs-oaep, with `hash` (MGF1 with the same)
    RsaPkcs1 = 3,  // kms rsa encrypt -e ckm-rsa-pkcs
  };
  // The OAEP hash (0 when none).
  enum class Hash : std::uint8_t { None = 0, Sha1 = 1, Sha224 = 2, Sha256 = 3, Sha384 = 4, Sha512 = 5 };
  static constexpr std::uint8_t kFlagAad = 0x01;  // encrypted with --authentication-data

  Wrap wrap = Wrap::AesGcm;
  Hash hash = Hash::None;
  bool authenticationData = false;
  std::uint32_t chunkSize = 0;
  std::array<std::uint8_t, kPrefixSize> noncePrefix{};
  std::string keyUid;
  std::vector<std::uint8_t> wrappedKey;

  // The header's bytes, as written and as authenticated.
  [[nodiscard]] std::vector<std::uint8_t> encode() const;
  // Reads the header after its magic (already read from `input`); `raw` gets the header's
  // bytes (magic included). CliError(BadData) naming the input when it is not a valid header.
  static EnvelopeHeader read(InputFile& input, std::vector<std::uint8_t>& raw);
  static bool isMagic(const std::uint8_t* data, std::size_t size) noexcept;
};

}  // namespace kms::cli
