#include "kms/integrations/aws_xks/SigningKeyCache.hpp"

#include <openssl/crypto.h>

namespace kms::integrations::aws_xks {

SigningKeyCache::SigningKeyCache(std::size_t credentials) : entries_(credentials) {}

SigningKeyCache::~SigningKeyCache() {
  for (auto& pair : entries_) {
    for (auto& entry : pair) OPENSSL_cleanse(entry.key.data(), entry.key.size());
  }
}

SigV4::Digest SigningKeyCache::get(std::size_t index, std::string_view secret, std::string_view date,
                                   std::string_view region, std::string_view service) {
  {
    const std::lock_guard lock(mutex_);
    for (const auto& entry : entries_.at(index)) {
      if (entry.date == date) return entry.key;
    }
  }
  // Derived outside the lock; two threads may both derive the key of a new day, which is harmless.
  const SigV4::Digest key = SigV4::signingKey(secret, date, region, service);
  const std::lock_guard lock(mutex_);
  auto& pair = entries_.at(index);
  // An unused entry, else the one of the earlier day (yyyymmdd strings order as dates); a date
  // earlier than both is not kept.
  Entry& older = pair[0].date <= pair[1].date ? pair[0] : pair[1];
  if (older.date.empty() || older.date < date) {
    OPENSSL_cleanse(older.key.data(), older.key.size());
    older.date = std::string(date);
    older.key = key;
  }
  return key;
}

}  // namespace kms::integrations::aws_xks
