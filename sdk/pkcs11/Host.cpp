#include "kms/pkcs11/Host.hpp"

#include <openssl/crypto.h>

#include <string>

namespace kms::pkcs11 {

Host::Host(const kms_host_services* services) {
  if (services == nullptr) return;
  if (KMS_HAS_MEMBER(services, kms_host_services, host_context)) context_ = services->host_context;
  if (KMS_HAS_MEMBER(services, kms_host_services, log)) log_ = services->log;
  if (KMS_HAS_MEMBER(services, kms_host_services, zeroize)) zeroize_ = services->zeroize;
}

void Host::log(std::int32_t level, std::string_view message) const noexcept {
  if (log_ == nullptr) return;
  try {
    const std::string text(message);
    log_(context_, level, text.c_str());
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // Logging must never turn a successful call into a failure.
  }
}

void Host::zeroize(void* data, std::uint64_t length) const noexcept {
  if (data == nullptr || length == 0) return;
  if (zeroize_ != nullptr) {
    zeroize_(data, length);
  } else {
    OPENSSL_cleanse(data, static_cast<std::size_t>(length));
  }
}

}  // namespace kms::pkcs11
