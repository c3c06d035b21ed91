#pragma once
// The host services a driver instance received at open: logging and secure wiping. Drivers
// never print; a host that passed no logger gets silence. Copied at open, because the host's
// struct may be a temporary.
#include <cstdint>
#include <string_view>

#include "kms/driver.h"

namespace kms::pkcs11 {

class Host {
 public:
  Host() = default;
  // Reads only the members the host's struct_size covers.
  explicit Host(const kms_host_services* services);

  void log(std::int32_t level, std::string_view message) const noexcept;
  [[nodiscard]] bool logs() const noexcept { return log_ != nullptr; }
  // Wipes with the host's zeroize when given, else OPENSSL_cleanse; both resist elision.
  void zeroize(void* data, std::uint64_t length) const noexcept;

 private:
  void* context_ = nullptr;
  void (*log_)(void*, std::int32_t, const char*) = nullptr;
  void (*zeroize_)(void*, std::uint64_t) = nullptr;
};

}  // namespace kms::pkcs11
