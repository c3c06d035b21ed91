#pragma once
// The kms_host_services one driver instance receives at open: its log lines go to the Poco
// logger "kms.hsm.<model>" (the driver's model is the source), and zeroize is OPENSSL_cleanse.
// The object must outlive the driver instance, which keeps the pointers it was given.
#include <string>

#include "kms/driver.h"

namespace Poco {
class Logger;
}

namespace kms::hsm {

class HostServices {
 public:
  explicit HostServices(const std::string& model);

  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  [[nodiscard]] const kms_host_services* services() const noexcept { return &services_; }
  [[nodiscard]] Poco::Logger& logger() const noexcept { return *logger_; }

  static void log(void* context, std::int32_t level, const char* message) noexcept;
  static void zeroize(void* data, std::uint64_t length) noexcept;

 private:
  Poco::Logger* logger_;
  kms_host_services services_{};
};

}  // namespace kms::hsm
