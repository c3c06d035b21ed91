#pragma once
// The checks kmsd makes before using a driver's table (docs/abi.md, "What the host checks").
// Like PostgreSQL's magic block, every refusal names the field that differs and both values,
// so that "why does kmsd refuse this .so" needs no debugger.
#include <cstdint>
#include <string>
#include <string_view>

#include "kms/driver.h"

namespace kms::hsm {

class AbiCheck {
 public:
  // sizeof the 1.0 structs: a 1.0 driver's table and info are at least this long. Written out
  // (not sizeof) so that a later minor version, whose structs are longer, still accepts 1.0.
  static constexpr std::uint32_t kTableSize10 = 136;
  static constexpr std::uint32_t kInfoSize10 = 48;

  // The status kms_driver_get returned; throws when it is not KMS_OK or the table is NULL.
  static void checkGet(const std::string& path, kms_status status, const kms_driver_v1* table);
  // Throws kms::Exception(Unavailable) naming the first field that makes the table unusable.
  static void checkTable(const std::string& path, const kms_driver_v1& table);
  // The model the driver declares against the one the configuration names.
  static void checkModel(const std::string& path, const kms_driver_info& info, std::string_view expectedModel);
};

}  // namespace kms::hsm
