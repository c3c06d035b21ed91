#pragma once
// What a driver tells about one key (kms_key_info in C++ types).
#include <cstdint>
#include <string>
#include <vector>

namespace kms::hsm {

enum class KeyType { Aes, RsaPrivate, RsaPublic, Unknown };

struct KeyInfo {
  KeyType type = KeyType::Unknown;
  std::uint32_t bits = 0;
  bool sensitive = false;
  bool extractable = false;
  std::uint32_t usage = 0;  // KMS_USE_*
  std::uint64_t slot = 0;
  std::string label;
  std::vector<std::uint8_t> id;
};

}  // namespace kms::hsm
