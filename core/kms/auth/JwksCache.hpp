#pragma once
// The signing keys of one OIDC provider, fetched from its JWKS URI and kept in memory.
//
// The set is fetched on first use, refetched when older than `maxAge`, and refetched at once
// when a token names a key id the set does not hold (a provider rotating its keys), but never
// more often than `minRefresh`: tokens with made-up key ids must not turn kmsd into a request
// amplifier against the provider. When a refetch fails the keys already held stay in use.
//
// URIs: https:// (certificate verified against the system CAs), http:// (tests, loopback),
// file:// or a plain path (tests, air-gapped set-ups).
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kms/auth/JwkKey.hpp"

namespace kms::auth {

class JwksCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit JwksCache(std::string uri, std::chrono::seconds minRefresh = std::chrono::seconds(10),
                     std::chrono::seconds maxAge = std::chrono::hours(1));

  // Keys that may have signed a token naming `kid` (every key when `kid` is empty). Throws
  // std::runtime_error when no key set could ever be fetched.
  [[nodiscard]] std::vector<std::shared_ptr<const JwkKey>> keysFor(const std::string& kid);

  [[nodiscard]] const std::string& uri() const noexcept { return uri_; }

  // Parses a JWKS document; keys of unsupported kinds are skipped (a provider publishes
  // encryption keys too). Throws std::runtime_error when the document is not a JWKS.
  static std::vector<std::shared_ptr<const JwkKey>> parse(const std::string& json);

 private:
  [[nodiscard]] std::string fetchDocument() const;
  // Refetches under the lock; keeps the old keys on failure.
  void refresh(Clock::time_point now);

  const std::string uri_;
  const std::chrono::seconds minRefresh_;
  const std::chrono::seconds maxAge_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<const JwkKey>> keys_;
  std::optional<Clock::time_point> fetchedAt_;    // last successful fetch
  std::optional<Clock::time_point> attemptedAt_;  // last attempt, successful or not
};

}  // namespace kms::auth
