#pragma once
// A driver .so opened with dlopen, its kms_driver_get and its table: the testkit's only way
// into a driver, as it is kmsd's (no C++ type crosses).
#include <cstdint>
#include <string>

#include "kms/driver.h"

namespace kms::testkit {

class DriverHandle {
 public:
  explicit DriverHandle(std::string path);  // never throws: see error()
  ~DriverHandle();
  DriverHandle(const DriverHandle&) = delete;
  DriverHandle& operator=(const DriverHandle&) = delete;

  [[nodiscard]] const std::string& error() const noexcept { return error_; }  // empty when loaded
  [[nodiscard]] kms_driver_get_fn entry() const noexcept { return entry_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;
  kms_driver_get_fn entry_ = nullptr;
  std::string error_;
};

}  // namespace kms::testkit
