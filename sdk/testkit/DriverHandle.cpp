#include "kms/testkit/DriverHandle.hpp"

#include <dlfcn.h>

namespace kms::testkit {

DriverHandle::DriverHandle(std::string path) : path_(std::move(path)) {
  handle_ = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    error_ = why != nullptr ? why : "dlopen failed";
    return;
  }
  entry_ = reinterpret_cast<kms_driver_get_fn>(::dlsym(handle_, KMS_DRIVER_ENTRY_SYMBOL));
  if (entry_ == nullptr) error_ = "the driver does not export " KMS_DRIVER_ENTRY_SYMBOL;
}

DriverHandle::~DriverHandle() {
  // Never dlclose: a PKCS#11 library the driver loaded may keep threads running into it.
}

}  // namespace kms::testkit
