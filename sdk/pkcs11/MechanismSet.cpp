#include "kms/pkcs11/MechanismSet.hpp"

#include <vector>

namespace kms::pkcs11 {

void MechanismSet::probe(const Call& call, CK_SLOT_ID slotId) {
  CK_ULONG count = 0;
  KMS_P11_CHECK(call, slotId, C_GetMechanismList, slotId, nullptr, &count);
  std::vector<CK_MECHANISM_TYPE> list(count);
  if (count > 0) KMS_P11_CHECK(call, slotId, C_GetMechanismList, slotId, list.data(), &count);
  list.resize(count);
  std::map<CK_MECHANISM_TYPE, CK_MECHANISM_INFO> found;
  for (const auto mechanism : list) {
    CK_MECHANISM_INFO info{};
    // A mechanism whose info the token cannot give is listed without flags: never usable.
    if (KMS_P11(call, C_GetMechanismInfo, slotId, mechanism, &info) != CKR_OK) info = CK_MECHANISM_INFO{};
    found.emplace(mechanism, info);
  }
  mechanisms_ = std::move(found);
}

bool MechanismSet::supports(CK_MECHANISM_TYPE mechanism, CK_FLAGS flags) const noexcept {
  const auto it = mechanisms_.find(mechanism);
  return it != mechanisms_.end() && (it->second.flags & flags) == flags;
}

}  // namespace kms::pkcs11
