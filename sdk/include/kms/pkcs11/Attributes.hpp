#pragma once
// Reads attributes of an object in two C_GetAttributeValue calls: lengths first, then values.
// Attributes the object lacks (CKR_ATTRIBUTE_TYPE_INVALID) or hides (CKR_ATTRIBUTE_SENSITIVE)
// are simply absent from the result: the caller decides what absence means. Values are kept
// in SecureBytes because a read may return key material (CKA_VALUE, CKA_PRIVATE_EXPONENT).
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>

#include "kms/pkcs11/Call.hpp"
#include "kms/pkcs11/SecureBytes.hpp"

namespace kms::pkcs11 {

class Attributes {
 public:
  static Attributes read(const Call& call, CK_SLOT_ID slotId, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                         std::initializer_list<CK_ATTRIBUTE_TYPE> types);

  [[nodiscard]] bool has(CK_ATTRIBUTE_TYPE type) const noexcept { return values_.count(type) != 0; }
  [[nodiscard]] const SecureBytes* get(CK_ATTRIBUTE_TYPE type) const noexcept;
  [[nodiscard]] bool flag(CK_ATTRIBUTE_TYPE type, bool fallback) const noexcept;
  [[nodiscard]] CK_ULONG ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG fallback) const noexcept;
  [[nodiscard]] std::string text(CK_ATTRIBUTE_TYPE type) const;
  [[nodiscard]] std::size_t length(CK_ATTRIBUTE_TYPE type) const noexcept;

 private:
  std::map<CK_ATTRIBUTE_TYPE, SecureBytes> values_;
};

}  // namespace kms::pkcs11
