#pragma once
// What makes one HSM model's driver: its names, its default PKCS#11 library and the quirk
// settings its library needs. A plugin is one ModelDescriptor plus KMS_PKCS11_DRIVER().
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kms/driver.h"

namespace kms::pkcs11 {

struct ModelDescriptor {
  const char* model;                                          // configuration name: "softhsm2", "other", ...
  const char* displayName;                                    // for messages: "SoftHSM2"
  const char* driverVersion;                                  // the driver's own version text
  const char* defaultLibrary;                                 // nullptr: the configuration must name the library
  const char* libraryEnvVar;                                  // "<MODEL>_PKCS11_LIB": overrides the default library
  std::vector<std::pair<std::string, std::string>> settings;  // quirk defaults (Settings names)
  std::int32_t threadModel = KMS_THREAD_SAFE;
  std::uint64_t capabilities = KMS_CAP_AES_GCM | KMS_CAP_RSA_OAEP_SHA1 | KMS_CAP_RSA_OAEP_SHA256 | KMS_CAP_RSA_PKCS1 |
                               KMS_CAP_AES_KEY_WRAP_PAD | KMS_CAP_AES_GCM_WRAP | KMS_CAP_RSA_PSS | KMS_CAP_RANDOM;
};

}  // namespace kms::pkcs11
