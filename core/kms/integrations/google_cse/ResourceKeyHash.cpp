#include "kms/integrations/google_cse/ResourceKeyHash.hpp"

#include "kms/Base64.hpp"
#include "kms/keys/HmacKey.hpp"

namespace kms::integrations::google_cse {

std::string ResourceKeyHash::of(const SecureBytes& dek, std::string_view resourceName, std::string_view perimeterId) {
  std::string data = "ResourceKeyDigest:";
  data.append(resourceName).append(":").append(perimeterId);
  const keys::HmacKey key(SecureBytes(dek), keys::Hash::Sha256);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  return Base64::encode(key.mac({bytes, data.size()}));
}

}  // namespace kms::integrations::google_cse
