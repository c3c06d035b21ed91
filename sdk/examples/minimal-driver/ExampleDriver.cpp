// A complete kmsd driver for a PKCS#11 HSM, out of tree: a model descriptor and one macro.
// The engine (KmsSdk::pkcs11) does the PKCS#11 work; this file only says what is particular to
// the device: its names, where its library is, and the quirks it needs (none here).
//
// Build:   cmake -S . -B build -DCMAKE_PREFIX_PATH=<where KmsSdk is installed> && cmake --build build
// Check:   EXAMPLE_PIN=... kms-driver-check --driver build/libkms_example.so
//              --library /usr/lib/softhsm/libsofthsm2.so --slot N --pin-env EXAMPLE_PIN
// Install: copy libkms_example.so into kmsd's plugins_dir and configure hsm_model = "example".
#include <kms/pkcs11/DriverAdapter.hpp>

namespace {

const kms::pkcs11::ModelDescriptor kExample{
    "example",             // the configuration's hsm_model; the file must be libkms_example.so
    "Example HSM",         // for messages
    "1.0.0",               // this driver's own version
    nullptr,               // no default library: the configuration names it (hsm_library)
    "EXAMPLE_PKCS11_LIB",  // or this environment variable does
    {},                    // quirk settings (docs/drivers/*.md): none
    KMS_THREAD_SAFE,       // the library serialises itself
};

}  // namespace

KMS_PKCS11_DRIVER(kExample)
