#pragma once
// Turns a ModelDescriptor into a complete kms_driver_v1 table. Every exported function checks
// its arguments, runs the engine, and catches every exception into a kms_error: nothing
// crosses the C boundary but status codes. A plugin is then:
//
//     static const kms::pkcs11::ModelDescriptor kModel{...};
//     KMS_PKCS11_DRIVER(kModel)
//
// which defines the one exported symbol, kms_driver_get. It refuses a host whose ABI major
// version differs from ours with KMS_ERR_NOT_SUPPORTED; any minor version is served (the
// table's struct_size tells the host which functions exist).
#include <cstdint>

#include "kms/driver.h"
#include "kms/pkcs11/ModelDescriptor.hpp"

namespace kms::pkcs11 {

class DriverAdapter {
 public:
  static kms_status get(const ModelDescriptor& model, std::uint16_t hostAbiMajor, std::uint16_t hostAbiMinor,
                        const kms_driver_v1** table) noexcept;
};

}  // namespace kms::pkcs11

#define KMS_PKCS11_DRIVER(descriptor)                                                                      \
  extern "C" KMS_DRIVER_EXPORT kms_status kms_driver_get(uint16_t host_abi_major, uint16_t host_abi_minor, \
                                                         const kms_driver_v1** table) {                    \
    return ::kms::pkcs11::DriverAdapter::get((descriptor), host_abi_major, host_abi_minor, table);         \
  }
