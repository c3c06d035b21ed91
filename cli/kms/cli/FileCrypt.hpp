#pragma once
// Encryption and decryption of files of any size for `kms sym` and `kms rsa` (docs/cli.md,
// docs/file-format.md).
//
// An input up to kSmallFileLimit goes to the server whole, in one KMIP request, and the output
// is the command's small format (sym: nonce | ciphertext | tag as ckms writes it; rsa: the bare
// ciphertext). A larger input, or a stdin that has not ended after kSmallFileLimit bytes, is
// envelope-encrypted: a fresh 32-byte data key encrypts it here, in chunks (ChunkCipher), and
// the server encrypts the data key with the command's key (the command's small encryption of
// those 32 bytes), which goes into the file's header (EnvelopeHeader). Decryption recognizes
// the envelope by its magic; anything else is the small format.
//
// Memory stays constant whatever the size: two chunks at most. The data key and the buffers
// that hold plaintext are SecureBytes (wiped when freed).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kms/SecureBytes.hpp"
#include "kms/cli/EnvelopeHeader.hpp"

namespace kms::cli {

class FileCrypt {
 public:
  // Up to this many bytes, one request to the server (well under kmsd's 8 MiB body limit once
  // hex in JSON); above, envelope encryption.
  static constexpr std::size_t kSmallFileLimit = 1U << 20;
  // The plaintext bytes of an envelope chunk.
  static constexpr std::uint32_t kChunkSize = 1U << 20;

  enum class Mode { Auto, Envelope, Single };  // --envelope / --no-envelope

  struct Io {
    std::string input;   // "-": stdin
    std::string output;  // "-": stdout
    bool force = false;
    bool progress = false;  // the caller found stderr a terminal, and no --quiet/--json
  };

  // The command's one-request encryption by the server: the small file for `plaintext`.
  using Seal = std::function<kms::SecureBytes(kms::SecureBytes plaintext)>;
  struct EncryptJob {
    Io files;
    Mode mode = Mode::Auto;
    std::string keyUid;  // recorded in the envelope's header
    EnvelopeHeader::Wrap wrap = EnvelopeHeader::Wrap::AesGcm;
    EnvelopeHeader::Hash hash = EnvelopeHeader::Hash::None;
    std::optional<std::string> aad;
    Seal seal;
  };
  // true when the output is an envelope file.
  static bool encrypt(const EncryptJob& job);

  // The key to decrypt with, given the envelope's header (nullptr for a small file).
  using ResolveKey = std::function<std::string(const EnvelopeHeader* header)>;
  // The command's one-request decryption by the server of a small file (or of the envelope's
  // wrapped data key, with its header) with key `uid`.
  using Unseal =
      std::function<kms::SecureBytes(const std::string& uid, kms::SecureBytes sealed, const EnvelopeHeader* header)>;
  struct DecryptJob {
    Io files;
    std::optional<std::string> aad;
    ResolveKey resolveKey;
    Unseal unseal;
  };
  struct Decrypted {
    std::string keyUid;
    bool envelope = false;
  };
  static Decrypted decrypt(const DecryptJob& job);
};

}  // namespace kms::cli
