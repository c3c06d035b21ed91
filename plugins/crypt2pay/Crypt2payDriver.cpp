// Eviden Crypt2pay payment HSM.
// Quirks (docs/drivers/crypt2pay.md):
//  - find_batch = 64: each C_FindObjects is a network round trip.
// The engine never reads or writes CKA_START_DATE/CKA_END_DATE, which Crypt2pay refuses on
// secret keys (CKR_ATTRIBUTE_TYPE_INVALID), and uses single-part PKCS#11 2.40 AES-GCM, not the
// PKCS#11 3.0 message API the library lacks.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kCrypt2pay{
    "crypt2pay",
    "Crypt2pay",
    KMS_DRIVER_VERSION,
    "/lib/libpkcs11c2p.so",
    "CRYPT2PAY_PKCS11_LIB",
    {{"find_batch", "64"}},
    KMS_THREAD_SAFE,
};

}  // namespace

KMS_PKCS11_DRIVER(kCrypt2pay)
