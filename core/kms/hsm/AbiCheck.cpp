#include "kms/hsm/AbiCheck.hpp"

#include <fmt/format.h>

#include <cstring>

#include "kms/Exception.hpp"
#include "kms/hsm/StatusMapper.hpp"

namespace kms::hsm {

namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw Exception(ErrorCode::Unavailable, message);
}

}  // namespace

void AbiCheck::checkGet(const std::string& path, kms_status status, const kms_driver_v1* table) {
  if (status != KMS_OK) {
    refuse(fmt::format("driver {} refuses ABI {}.{} spoken by kmsd (kms_driver_get returned {}: {})", path,
                       KMS_DRIVER_ABI_MAJOR, KMS_DRIVER_ABI_MINOR, status, StatusMapper::statusName(status)));
  }
  if (table == nullptr) refuse(fmt::format("driver {} returned KMS_OK but no function table", path));
}

void AbiCheck::checkTable(const std::string& path, const kms_driver_v1& table) {
  if (table.abi_major != KMS_DRIVER_ABI_MAJOR) {
    refuse(fmt::format("driver {} speaks ABI {}.{}, kmsd speaks {}.{} (abi_major differs)", path, table.abi_major,
                       table.abi_minor, KMS_DRIVER_ABI_MAJOR, KMS_DRIVER_ABI_MINOR));
  }
  if (table.struct_size < kTableSize10) {
    refuse(fmt::format("driver {}: kms_driver_v1.struct_size is {}, kmsd needs at least {} (the ABI 1.0 members)", path,
                       table.struct_size, kTableSize10));
  }
  if (table.info == nullptr) refuse(fmt::format("driver {}: kms_driver_v1.info is NULL", path));
  const kms_driver_info& info = *table.info;
  if (info.struct_size < kInfoSize10) {
    refuse(fmt::format("driver {}: kms_driver_info.struct_size is {}, kmsd needs at least {} (the ABI 1.0 members)",
                       path, info.struct_size, kInfoSize10));
  }
  if (info.abi_major != table.abi_major) {
    refuse(fmt::format("driver {}: kms_driver_info.abi_major is {}, kms_driver_v1.abi_major is {} (abi_major differs)",
                       path, info.abi_major, table.abi_major));
  }
  if (info.model == nullptr || *info.model == '\0') {
    refuse(fmt::format("driver {}: kms_driver_info.model is empty", path));
  }
  if (info.thread_model != KMS_THREAD_SAFE && info.thread_model != KMS_THREAD_SERIALIZE_SLOT &&
      info.thread_model != KMS_THREAD_SERIALIZE_ALL) {
    refuse(
        fmt::format("driver {}: kms_driver_info.thread_model is {}, kmsd knows 0, 1 and 2", path, info.thread_model));
  }
  // open and close are the two functions without which nothing else can be called.
  if (table.open == nullptr) refuse(fmt::format("driver {}: kms_driver_v1.open is NULL", path));
  if (table.close == nullptr) refuse(fmt::format("driver {}: kms_driver_v1.close is NULL", path));
}

void AbiCheck::checkModel(const std::string& path, const kms_driver_info& info, std::string_view expectedModel) {
  if (expectedModel != info.model) {
    refuse(fmt::format("driver {} is for model '{}', the configuration names model '{}' (model differs)", path,
                       info.model, expectedModel));
  }
}

}  // namespace kms::hsm
