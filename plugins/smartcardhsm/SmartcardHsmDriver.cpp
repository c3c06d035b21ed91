// CardContact SmartCard-HSM 4K and Nitrokey HSM 2, through the sc-hsm-embedded library
// (validated with 2.12).
// Quirks (docs/drivers/smartcardhsm.md):
//  - max_data_chunk = 1024: a smart card exchanges short APDUs; larger single-part inputs fail,
//    so they are split with C_*Update (or refused for single-part mechanisms).
//  - find_batch = 16: the card walks its file system per object; small batches keep each call
//    short.
// Calls are serialised per slot: one card answers one command at a time.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kSmartcardHsm{
    "smartcardhsm",
    "SmartCard-HSM",
    KMS_DRIVER_VERSION,
    "/usr/local/lib/libsc-hsm-pkcs11.so",
    "SMARTCARDHSM_PKCS11_LIB",
    {{"max_data_chunk", "1024"}, {"find_batch", "16"}},
    KMS_THREAD_SERIALIZE_SLOT,
};

}  // namespace

KMS_PKCS11_DRIVER(kSmartcardHsm)
