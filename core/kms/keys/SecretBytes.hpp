#pragma once
// Key material and plaintexts in the keys room: the same wiped-on-release vector as every TTLV
// byte string (kms/SecureBytes.hpp), so material moves between the two without a copy.
#include "kms/SecureBytes.hpp"

namespace kms::keys {

using kms::secureZero;
using kms::ZeroizingAllocator;
using SecretBytes = kms::SecureBytes;

}  // namespace kms::keys
