#include "kms/hsm/KeyInfoCache.hpp"

namespace kms::hsm {

std::string KeyInfoCache::keyOf(const KeyRef& key) {
  // slot, then the id bytes (or nothing), then the label: unambiguous since the id's length
  // is written first.
  std::string out = std::to_string(key.slot);
  out += ':';
  out += std::to_string(key.id.size());
  out += ':';
  out.append(key.id.begin(), key.id.end());
  out += key.label;
  return out;
}

std::optional<KeyInfo> KeyInfoCache::find(const KeyRef& key) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(keyOf(key));
  if (it == entries_.end()) return std::nullopt;
  if (Clock::now() - it->second.stored >= maxAge_) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.info;
}

void KeyInfoCache::put(const KeyRef& key, const KeyInfo& info) {
  const std::lock_guard lock(mutex_);
  // Many distinct keys in a few seconds: start over rather than track recency.
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[keyOf(key)] = Entry{info, Clock::now()};
}

void KeyInfoCache::clear() {
  const std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace kms::hsm
