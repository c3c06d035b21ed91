#pragma once
// What a driver tells about one key (kms_key_info in core terms, read by AbiVocabulary).
#include <cstdint>
#include <string>
#include <vector>

#include "kms/hsm/KeyUsage.hpp"

namespace kms::hsm {

enum class KeyType { Aes, RsaPrivate, RsaPublic, Unknown };

struct KeyInfo {
  KeyType type = KeyType::Unknown;
  std::uint32_t bits = 0;
  bool sensitive = false;
  bool extractable = false;
  KeyUsage usage;
  std::uint64_t slot = 0;
  std::string label;
  std::vector<std::uint8_t> id;
};

}  // namespace kms::hsm
