#pragma once
// Finds key objects: by CKA_ID when the reference has one, else by CKA_LABEL, through the
// slot's handle cache. An RSA pair shares its CKA_ID, and its public key's label is the
// private label + "_pk": select() picks the object an operation needs (e.g. the public key
// for encrypt when the host named the pair by the private label).
#include <initializer_list>
#include <string>
#include <vector>

#include "kms/pkcs11/KeyObject.hpp"
#include "kms/pkcs11/KeyRef.hpp"
#include "kms/pkcs11/Slot.hpp"
#include "kms/pkcs11/Template.hpp"

namespace kms::pkcs11 {

class KeyFinder {
 public:
  // Key objects (secret, private, public) matching ref; empty when none.
  static std::vector<KeyObject> find(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref);
  // The first object whose class comes first in `wanted`. Throws KMS_ERR_NOT_FOUND when the
  // key does not exist, KMS_ERR_INVALID_ARGUMENT when it exists but cannot serve `purpose`.
  static KeyObject select(Slot& slot, CK_SESSION_HANDLE session, const KeyRef& ref,
                          std::initializer_list<CK_OBJECT_CLASS> wanted, const char* purpose);
  // Object handles matching a template, ulMaxObjectCount = the find_batch setting.
  static std::vector<CK_OBJECT_HANDLE> search(Slot& slot, CK_SESSION_HANDLE session, Template& match);
  // Class and key type of each handle; objects that are not keys are dropped.
  static std::vector<KeyObject> classify(Slot& slot, CK_SESSION_HANDLE session,
                                         const std::vector<CK_OBJECT_HANDLE>& handles);
  [[nodiscard]] static const char* className(CK_OBJECT_CLASS objectClass) noexcept;
};

}  // namespace kms::pkcs11
