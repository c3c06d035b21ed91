#pragma once
// Google's resource key hash: HMAC-SHA-256 keyed by the unwrapped DEK over
// "ResourceKeyDigest:" + resource_name + ":" + perimeter_id (UTF-8), in standard Base64. Google
// checks wrapped keys with it without seeing them (digest, rewrap).
#include <string>
#include <string_view>

#include "kms/SecureBytes.hpp"

namespace kms::integrations::google_cse {

class ResourceKeyHash {
 public:
  [[nodiscard]] static std::string of(const SecureBytes& dek, std::string_view resourceName,
                                      std::string_view perimeterId);
};

}  // namespace kms::integrations::google_cse
