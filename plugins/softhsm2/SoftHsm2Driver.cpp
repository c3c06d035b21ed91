// SoftHSM2 (OpenDNSSEC's software token): the reference token of the test suite.
// Quirks (docs/drivers/softhsm2.md):
//  - oaep_hashes = sha1: SoftHSM2 2.6 lists CKM_RSA_PKCS_OAEP but accepts only SHA-1 with
//    MGF1-SHA-1; any other hash fails with a bare CKR_ARGUMENTS_BAD.
//  - kwp_whole_blocks_only: its CKM_AES_KEY_WRAP_PAD C_WrapKey zero-pads a key whose length is
//    not a multiple of 8 before wrapping, so the result is not RFC 5649 and unwraps to the
//    padded length; such inputs are refused (AES keys, 16/24/32 bytes, are unaffected).
//  - find_batch = 32: cheap in-process lookups; larger batches gain nothing.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kSoftHsm2{
    "softhsm2",
    "SoftHSM2",
    KMS_DRIVER_VERSION,
    "/usr/lib/softhsm/libsofthsm2.so",
    "SOFTHSM2_PKCS11_LIB",
    {{"oaep_hashes", "sha1"}, {"kwp_whole_blocks_only", "true"}, {"find_batch", "32"}},
    KMS_THREAD_SAFE,
    KMS_CAP_AES_GCM | KMS_CAP_RSA_OAEP_SHA1 | KMS_CAP_RSA_PKCS1 | KMS_CAP_AES_KEY_WRAP_PAD | KMS_CAP_AES_GCM_WRAP |
        KMS_CAP_RSA_PSS | KMS_CAP_RANDOM,
};

}  // namespace

KMS_PKCS11_DRIVER(kSoftHsm2)
