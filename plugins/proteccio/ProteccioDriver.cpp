// Eviden Trustway Proteccio netHSM (library "nethsm", validated with 3.17).
// Quirks (docs/drivers/proteccio.md):
//  - never_finalize: the nethsm library keeps process-wide network state; once C_Finalize has
//    run, a later C_Initialize in the same process fails, so it is initialised once and never
//    finalised or unloaded.
//  - find_batch = 64: each C_FindObjects is a network round trip.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kProteccio{
    "proteccio",
    "Proteccio",
    KMS_DRIVER_VERSION,
    "/lib/libnethsm.so",
    "PROTECCIO_PKCS11_LIB",
    {{"never_finalize", "true"}, {"find_batch", "64"}},
    KMS_THREAD_SAFE,
};

}  // namespace

KMS_PKCS11_DRIVER(kProteccio)
