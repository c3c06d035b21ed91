#include "kms/integrations/aws_xks/CiphertextBinding.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace kms::integrations::aws_xks {

CiphertextBinding::Bytes CiphertextBinding::gcmAad(const Bytes& aad, const Bytes& ciphertextMetadata) {
  if (aad.size() > 0xFFFF || ciphertextMetadata.size() > 0xFF) throw std::length_error("XKS AAD framing overflow");
  Bytes out;
  out.reserve(3 + aad.size() + ciphertextMetadata.size());
  out.push_back(static_cast<std::uint8_t>(aad.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(aad.size() & 0xFF));
  out.insert(out.end(), aad.begin(), aad.end());
  out.push_back(static_cast<std::uint8_t>(ciphertextMetadata.size()));
  out.insert(out.end(), ciphertextMetadata.begin(), ciphertextMetadata.end());
  return out;
}

CiphertextBinding::Bytes CiphertextBinding::integrityValue(const Bytes& aad, const Bytes& ciphertextMetadata,
                                                           const Bytes& iv, const Bytes& ciphertext, const Bytes& tag) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Bytes out(32);
  unsigned int size = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (const Bytes* part : {&aad, &ciphertextMetadata, &iv, &ciphertext, &tag}) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part->data(), part->size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &size) == 1 && size == out.size();
  if (!ok) throw std::runtime_error("SHA-256 failed");
  return out;
}

}  // namespace kms::integrations::aws_xks
