#include "kms/audit/Digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

#include "kms/audit/AuditError.hpp"

namespace kms::audit {
namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4U];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0fU];
  }
  return out;
}

}  // namespace

const std::string& Digest::zero() {
  static const std::string zeros(kHexSize, '0');
  return zeros;
}

std::string Digest::sha256(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw AuditError("SHA-256 failed");
  }
  return hex(out.data(), size);
}

std::string Digest::hmacSha256(std::span<const std::uint8_t> key, std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
           text.size(), out.data(), &size) == nullptr) {
    throw AuditError("HMAC-SHA-256 failed");
  }
  return hex(out.data(), size);
}

bool Digest::same(std::string_view left, std::string_view right) noexcept {
  return left.size() == right.size() && CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

}  // namespace kms::audit
