#include "kms/cli/ChunkCipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <stdexcept>

#include "kms/cli/CliError.hpp"

namespace kms::cli {
namespace {

[[noreturn]] void openSslFailed(const char* what) {
  throw CliError(ExitCode::Internal, std::string("OpenSSL failed to ") + what);
}

// EVP takes int lengths; chunks are at most 16 MiB (EnvelopeHeader::kMaxChunkSize).
int length(std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX)) throw CliError(ExitCode::Internal, "chunk too large");
  return static_cast<int>(size);
}

}  // namespace

ChunkCipher::ChunkCipher(bool encrypt, const kms::SecureBytes& key, const std::array<std::uint8_t, kPrefixSize>& prefix,
                         std::vector<std::uint8_t> aad)
    : context_(EVP_CIPHER_CTX_new()), encrypt_(encrypt), prefix_(prefix), aad_(std::move(aad)) {
  if (context_ == nullptr) openSslFailed("allocate a cipher context");
  if (key.size() != kKeySize ||
      EVP_CipherInit_ex(context_, EVP_aes_256_gcm(), nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1) {
    EVP_CIPHER_CTX_free(context_);
    openSslFailed("set up AES-256-GCM");
  }
}

ChunkCipher::~ChunkCipher() {
  EVP_CIPHER_CTX_free(context_);  // wipes the key schedule
}

void ChunkCipher::start(std::uint32_t index, bool last) {
  std::array<std::uint8_t, 12> nonce{};
  std::copy(prefix_.begin(), prefix_.end(), nonce.begin());
  nonce[7] = static_cast<std::uint8_t>(index >> 24);
  nonce[8] = static_cast<std::uint8_t>(index >> 16);
  nonce[9] = static_cast<std::uint8_t>(index >> 8);
  nonce[10] = static_cast<std::uint8_t>(index);
  nonce[11] = last ? 1 : 0;
  // Key and cipher stay; only the nonce is new.
  if (EVP_CipherInit_ex(context_, nullptr, nullptr, nullptr, nonce.data(), encrypt_ ? 1 : 0) != 1) {
    openSslFailed("start a chunk");
  }
  int out = 0;
  if (!aad_.empty() && EVP_CipherUpdate(context_, nullptr, &out, aad_.data(), length(aad_.size())) != 1) {
    openSslFailed("authenticate the header");
  }
}

void ChunkCipher::seal(std::uint32_t index, bool last, std::uint8_t* data, std::size_t size, std::uint8_t* tag) {
  start(index, last);
  int out = 0;
  if (size > 0 && EVP_EncryptUpdate(context_, data, &out, data, length(size)) != 1) openSslFailed("encrypt a chunk");
  if (EVP_EncryptFinal_ex(context_, data + out, &out) != 1 ||
      EVP_CIPHER_CTX_ctrl(context_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) != 1) {
    openSslFailed("finish a chunk");
  }
}

bool ChunkCipher::open(std::uint32_t index, bool last, std::uint8_t* data, std::size_t size, const std::uint8_t* tag) {
  start(index, last);
  int out = 0;
  if (size > 0 && EVP_DecryptUpdate(context_, data, &out, data, length(size)) != 1) openSslFailed("decrypt a chunk");
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  if (EVP_CIPHER_CTX_ctrl(context_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          const_cast<std::uint8_t*>(tag)) != 1) {  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    openSslFailed("set a chunk's tag");
  }
  if (EVP_DecryptFinal_ex(context_, data + out, &out) != 1) {
    OPENSSL_cleanse(data, size);
    return false;
  }
  return true;
}

}  // namespace kms::cli
