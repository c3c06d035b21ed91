#pragma once
// An HSM key that wraps keys kmsd stores, as WrappingKeys found it.
#include <string>

#include "kms/hsm/DriverInstance.hpp"
#include "kms/hsm/KeyInfo.hpp"
#include "kms/hsm/KeyRef.hpp"

namespace kms::ops::wrapping {

struct WrappingKey {
  hsm::DriverInstance* instance = nullptr;
  std::string canonical;  // hsm::<instance>::<slot>::<key>: stored with every key it wraps
  hsm::KeyInfo info;
  hsm::KeyRef wrapRef;    // the AES key, or the RSA public key
  hsm::KeyRef unwrapRef;  // the AES key, or the RSA private key
};

}  // namespace kms::ops::wrapping
