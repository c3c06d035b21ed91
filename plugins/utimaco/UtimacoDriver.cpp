// Utimaco general-purpose HSMs (SecurityServer / u.trust, PKCS#11 R3 library; configuration in
// cs_pkcs11_R3.cfg named by CS_PKCS11_R3_CFG).
// Quirks (docs/drivers/utimaco.md):
//  - find_batch = 64: each C_FindObjects is a network round trip.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kUtimaco{
    "utimaco",
    "Utimaco",
    KMS_DRIVER_VERSION,
    "/lib/libcs_pkcs11_R3.so",
    "UTIMACO_PKCS11_LIB",
    {{"find_batch", "64"}},
    KMS_THREAD_SAFE,
};

}  // namespace

KMS_PKCS11_DRIVER(kUtimaco)
