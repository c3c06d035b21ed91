#include "kms/hsm/HostServices.hpp"

#include <openssl/crypto.h>

#include <Poco/Logger.h>
#include <cstring>

namespace kms::hsm {

namespace {

// A driver's line is NUL-terminated by contract; the bound keeps a driver bug from making us
// read (and log) unbounded memory.
constexpr std::size_t kMaxLogLine = 4096;

}  // namespace

HostServices::HostServices(const std::string& model) : logger_(&Poco::Logger::get("kms.hsm." + model)) {
  services_.struct_size = sizeof(kms_host_services);
  services_.host_context = this;
  services_.log = &HostServices::log;
  services_.zeroize = &HostServices::zeroize;
}

void HostServices::log(void* context, std::int32_t level, const char* message) noexcept {
  if (context == nullptr || message == nullptr) return;
  try {
    auto& logger = static_cast<HostServices*>(context)->logger();
    const std::string line(message, ::strnlen(message, kMaxLogLine));
    switch (level) {
      case KMS_LOG_ERROR:
        logger.error(line);
        break;
      case KMS_LOG_WARNING:
        logger.warning(line);
        break;
      case KMS_LOG_INFO:
        logger.information(line);
        break;
      case KMS_LOG_DEBUG:
        logger.debug(line);
        break;
      default:
        logger.trace(line);
        break;
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // A logging failure must never unwind into the driver's C frames.
  }
}

void HostServices::zeroize(void* data, std::uint64_t length) noexcept {
  if (data != nullptr && length > 0) OPENSSL_cleanse(data, static_cast<std::size_t>(length));
}

}  // namespace kms::hsm
