#pragma once
// Test support: C_CloseAllSessions on a slot through a second handle of a PKCS#11 library, as
// an administrator's tool or a token reset would, behind the engine's back. Kept apart from
// driver.h users: <p11-kit/pkcs11.h> must not meet kms/driver.h in one translation unit.
#include <cstdint>
#include <string>

namespace kms::hsm::test {

// The CK_RV of C_CloseAllSessions (0 = CKR_OK); throws std::runtime_error when the library
// cannot be loaded.
unsigned long closeAllSessions(const std::string& library, std::uint64_t slot);

}  // namespace kms::hsm::test
