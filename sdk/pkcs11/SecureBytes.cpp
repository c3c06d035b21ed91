#include "kms/pkcs11/SecureBytes.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>

namespace kms::pkcs11 {

SecureBytes::SecureBytes(std::size_t size) : bytes_(size) {}

SecureBytes::SecureBytes(const std::uint8_t* data, std::size_t size) : bytes_(data, data + size) {}

SecureBytes::~SecureBytes() {
  wipe();
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecureBytes::resize(std::size_t size) {
  if (size <= bytes_.size()) {
    if (size < bytes_.size()) OPENSSL_cleanse(bytes_.data() + size, bytes_.size() - size);
    bytes_.resize(size);
    return;
  }
  std::vector<std::uint8_t> larger(size);
  std::copy(bytes_.begin(), bytes_.end(), larger.begin());
  wipe();
  bytes_ = std::move(larger);
}

void SecureBytes::wipe() noexcept {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

}  // namespace kms::pkcs11
