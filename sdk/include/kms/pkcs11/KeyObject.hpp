#pragma once
// A key object found on a token: its handle and what kind of key it is. Handles are valid
// across the sessions of this process until the object is destroyed.
#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

struct KeyObject {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS objectClass = CKO_DATA;
  CK_KEY_TYPE keyType = CKK_VENDOR_DEFINED;
};

}  // namespace kms::pkcs11
