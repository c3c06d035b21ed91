// The generic driver (model "other"): any PKCS#11 library, named by the configuration
// (hsm_library) or OTHER_PKCS11_LIB; there is no default. Every quirk is set from the
// configuration (docs/drivers/generic.md). Calls are serialised per slot, since nothing is
// known of the library's thread safety.
#include "kms/pkcs11/DriverAdapter.hpp"

namespace {

const kms::pkcs11::ModelDescriptor kGeneric{
    "other", "PKCS#11 library", KMS_DRIVER_VERSION, nullptr, "OTHER_PKCS11_LIB", {}, KMS_THREAD_SERIALIZE_SLOT,
};

}  // namespace

KMS_PKCS11_DRIVER(kGeneric)
