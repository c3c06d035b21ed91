#pragma once
// The usable key of one request, held in place: either implementation lives inside this
// object (no heap allocation per request), and the handler reaches it through UsableKey (one
// virtual call per operation). Made only by KeyResolver; neither copied nor moved (the key
// refers to its own state).
#include <utility>
#include <variant>

#include "kms/ops/crypto/DatabaseUsableKey.hpp"
#include "kms/ops/hsmkeys/HsmUsableKey.hpp"

namespace kms::ops::crypto {

class ResolvedKey {
 public:
  ResolvedKey(const ResolvedKey&) = delete;
  ResolvedKey& operator=(const ResolvedKey&) = delete;
  ResolvedKey(ResolvedKey&&) = delete;
  ResolvedKey& operator=(ResolvedKey&&) = delete;
  ~ResolvedKey() = default;

  [[nodiscard]] const UsableKey& operator*() const noexcept { return *key_; }
  [[nodiscard]] const UsableKey* operator->() const noexcept { return key_; }
  [[nodiscard]] bool inHsm() const noexcept { return std::holds_alternative<hsmkeys::HsmUsableKey>(storage_); }

 private:
  friend class KeyResolver;
  template <class Key, class... Args>
  explicit ResolvedKey(std::in_place_type_t<Key> type, Args&&... args)
      : storage_(type, std::forward<Args>(args)...), key_(&std::get<Key>(storage_)) {}

  std::variant<DatabaseUsableKey, hsmkeys::HsmUsableKey> storage_;
  const UsableKey* key_;
};

}  // namespace kms::ops::crypto
