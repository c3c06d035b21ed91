#pragma once
// An attribute template that owns its values, so that building one is a list of add() calls
// instead of a dozen named CK_BBOOL/CK_ULONG locals whose addresses must outlive the call.
// Values are wiped at destruction: a template may carry a key value (CKA_VALUE).
#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "kms/pkcs11/Pkcs11.hpp"
#include "kms/pkcs11/SecureBytes.hpp"

namespace kms::pkcs11 {

class Template {
 public:
  Template& addBool(CK_ATTRIBUTE_TYPE type, bool value);
  Template& addUlong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
  Template& addBytes(CK_ATTRIBUTE_TYPE type, const std::uint8_t* data, std::size_t size);
  Template& addText(CK_ATTRIBUTE_TYPE type, std::string_view text);

  [[nodiscard]] CK_ATTRIBUTE* data() noexcept { return attributes_.data(); }
  [[nodiscard]] CK_ULONG size() const noexcept { return attributes_.size(); }

 private:
  std::deque<SecureBytes> storage_;  // deque: growing never moves earlier values
  std::vector<CK_ATTRIBUTE> attributes_;
};

}  // namespace kms::pkcs11
