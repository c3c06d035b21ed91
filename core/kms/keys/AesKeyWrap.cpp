#include "kms/keys/AesKeyWrap.hpp"

#include <openssl/evp.h>

#include <climits>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslError.hpp"
#include "kms/keys/OpenSslHandles.hpp"

namespace kms::keys {
namespace {

const char* cipherName(std::size_t keyBytes) {
  switch (keyBytes) {
    case 16:
      return "AES-128-WRAP-PAD";
    case 24:
      return "AES-192-WRAP-PAD";
    case 32:
      return "AES-256-WRAP-PAD";
    default:
      throw Exception(ErrorCode::InvalidField, "an AES key wrapping key is 16, 24 or 32 bytes");
  }
}

template <class Out>
Out run(bool encrypt, const SecretBytes& key, ByteView input) {
  if (input.empty() || input.size() > INT_MAX - 16) {
    throw Exception(ErrorCode::InvalidField, "AES key wrap input must be 1 byte to 2 GiB");
  }
  CipherPtr cipher(EVP_CIPHER_fetch(nullptr, cipherName(key.size()), nullptr));
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) throwOpenSslError(ErrorCode::InternalError, "AES key wrap unavailable");
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    throwOpenSslError(ErrorCode::InternalError, "AES key wrap init failed");
  }
  Out out(input.size() + 16);
  int written = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, input.data(), static_cast<int>(input.size())) != 1) {
    clearOpenSslErrors();
    throw Exception(ErrorCode::CryptographicFailure,
                    encrypt ? "AES key wrap failed" : "AES key unwrap failed: wrong key or altered data");
  }
  int last = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &last) != 1) {
    clearOpenSslErrors();
    throw Exception(ErrorCode::CryptographicFailure,
                    encrypt ? "AES key wrap failed" : "AES key unwrap failed: wrong key or altered data");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(last));
  return out;
}

}  // namespace

Bytes AesKeyWrap::wrap(const SecretBytes& key, const SecretBytes& material) {
  return run<Bytes>(true, key, ByteView(material.data(), material.size()));
}

SecretBytes AesKeyWrap::unwrap(const SecretBytes& key, ByteView wrapped) {
  return run<SecretBytes>(false, key, wrapped);
}

}  // namespace kms::keys
