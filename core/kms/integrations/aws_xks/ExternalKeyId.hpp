#pragma once
// The externalKeyId of the XKS URIs <-> the kmsd UID of the key. AWS allows only A-Z a-z 0-9
// - . _ (at most 128 characters), while HSM UIDs hold "::" (hsm::softhsm2::0::label): an
// externalKeyId writes each "::" as "..", so hsm..softhsm2..0..label names
// hsm::softhsm2::0::label. Database UIDs (UUIDs) are their own externalKeyId.
#include <optional>
#include <string>
#include <string_view>

namespace kms::integrations::aws_xks {

class ExternalKeyId {
 public:
  static constexpr std::size_t kMaxLength = 128;
  // nullopt when `keyId` is empty, too long or holds a character AWS does not allow.
  [[nodiscard]] static std::optional<std::string> toUid(std::string_view keyId);
  // The externalKeyId of a UID, nullopt when it has none (a character AWS does not allow).
  [[nodiscard]] static std::optional<std::string> fromUid(std::string_view uid);
};

}  // namespace kms::integrations::aws_xks
