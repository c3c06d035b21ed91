#include "kms/pkcs11/HandleCache.hpp"

namespace kms::pkcs11 {

std::optional<std::vector<KeyObject>> HandleCache::find(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void HandleCache::store(const std::string& key, const std::vector<KeyObject>& objects) {
  if (objects.empty()) return;
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = objects;
}

void HandleCache::clear() {
  const std::lock_guard lock(mutex_);
  entries_.clear();
}

std::size_t HandleCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace kms::pkcs11
