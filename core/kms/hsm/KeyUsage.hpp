#pragma once
// What a key inside an HSM may be used for (CKA_ENCRYPT, CKA_SIGN, ...), as a small set in core
// terms. AbiVocabulary translates it to and from the driver ABI's KMS_USE_* bits.
#include <cstdint>
#include <initializer_list>

namespace kms::hsm {

enum class KeyUse : std::uint8_t { Encrypt, Decrypt, Sign, Verify, Wrap, Unwrap };

class KeyUsage {
 public:
  constexpr KeyUsage() noexcept = default;
  constexpr KeyUsage(std::initializer_list<KeyUse> uses) noexcept {
    for (const auto use : uses) add(use);
  }

  constexpr void add(KeyUse use) noexcept { bits_ = static_cast<std::uint8_t>(bits_ | bit(use)); }
  [[nodiscard]] constexpr bool has(KeyUse use) const noexcept { return (bits_ & bit(use)) != 0; }
  // Empty: the driver's default usage for the key type.
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
  friend constexpr bool operator==(KeyUsage, KeyUsage) noexcept = default;

 private:
  static constexpr std::uint8_t bit(KeyUse use) noexcept {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(use));
  }
  std::uint8_t bits_ = 0;
};

}  // namespace kms::hsm
