#pragma once
// Label/id -> key objects of one slot. C_FindObjects scans every object of the token (SoftHSM2:
// ~40 ms with 1,000 objects), far more than the operation itself, so a key is looked up once
// and its handles reused. Cleared when a key is destroyed, when sessions are recovered, and
// when the token reports a stale handle (another process destroyed the object).
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kms/pkcs11/KeyObject.hpp"

namespace kms::pkcs11 {

class HandleCache {
 public:
  [[nodiscard]] std::optional<std::vector<KeyObject>> find(const std::string& key) const;
  // Empty results are not stored: the key may be created later, by us or by another process.
  void store(const std::string& key, const std::vector<KeyObject>& objects);
  void clear();
  [[nodiscard]] std::size_t size() const;

 private:
  // Bounds memory when a client walks many distinct labels; a full cache simply starts over.
  static constexpr std::size_t kMaxEntries = 16384;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<KeyObject>> entries_;
};

}  // namespace kms::pkcs11
