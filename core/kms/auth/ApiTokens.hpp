#pragma once
// API tokens: issued by an administrator for a user, sent as "Authorization: Bearer <token>".
//
// A token reads "kms_<id>.<secret>": <id> is 16 hex digits (public, names the token for
// revocation and in logs), <secret> the base64url text of 32 random bytes. The store keeps
// only SHA-256(secret); the token is shown once, when issued, and cannot be recovered.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/store/TokenStore.hpp"

namespace kms::auth {

struct IssuedToken {
  std::string id;
  std::string token;  // secret: returned to the administrator once, never logged
};

class ApiTokens {
 public:
  static constexpr std::string_view kPrefix = "kms_";

  explicit ApiTokens(store::TokenStore& store);

  // Creates and stores a token for `user`.
  [[nodiscard]] IssuedToken issue(const std::string& user);
  // False when no such token or already revoked.
  bool revoke(const std::string& id);
  [[nodiscard]] std::vector<store::ApiTokenRecord> list();

  // The user of a valid, unrevoked token. Throws AuthenticationError (reason without the
  // secret) for a malformed, unknown, revoked or wrong token.
  [[nodiscard]] std::string verify(std::string_view token);

  [[nodiscard]] static bool looksLikeToken(std::string_view bearer) noexcept { return bearer.starts_with(kPrefix); }

 private:
  store::TokenStore& store_;
};

}  // namespace kms::auth
