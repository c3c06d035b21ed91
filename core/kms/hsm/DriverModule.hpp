#pragma once
// A loaded driver .so whose table passed AbiCheck. Holds the library for as long as anything
// uses the table. Functions are read through `function()`, which treats a NULL pointer and a
// pointer beyond the driver's struct_size alike: "not supported" (docs/abi.md).
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "kms/driver.h"

namespace kms::hsm {

class DriverModule {
 public:
  DriverModule(boost::dll::shared_library library, const kms_driver_v1* table, std::string path);

  DriverModule(const DriverModule&) = delete;
  DriverModule& operator=(const DriverModule&) = delete;

  [[nodiscard]] const kms_driver_v1& table() const noexcept { return *table_; }
  [[nodiscard]] const kms_driver_info& info() const noexcept { return *table_->info; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string model() const { return info().model; }
  [[nodiscard]] std::int32_t threadModel() const noexcept { return info().thread_model; }

  // The function at `member`, or nullptr when the driver's table is too short to hold it or
  // holds NULL there.
  template <class Fn>
  [[nodiscard]] Fn function(Fn kms_driver_v1::*member) const noexcept {
    // offsetof for a pointer to member, on a real object (no null-pointer arithmetic).
    static constexpr kms_driver_v1 probe{};
    const auto offset = reinterpret_cast<std::uintptr_t>(&(probe.*member)) - reinterpret_cast<std::uintptr_t>(&probe);
    if (table_->struct_size < offset + sizeof(Fn)) return nullptr;
    return table_->*member;
  }

 private:
  boost::dll::shared_library library_;
  const kms_driver_v1* table_;
  std::string path_;
};

}  // namespace kms::hsm
