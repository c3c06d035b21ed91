#pragma once
// Persistence of API tokens. Only a SHA-256 hash of each token's secret is stored: a copy of
// the database does not hold usable credentials. Kept apart from ObjectStore because tokens
// are no managed objects and a store may serve objects without serving tokens.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kms/SecureBytes.hpp"

namespace kms::store {

struct ApiTokenRecord {
  std::string id;                  // public: names the token in DELETE /tokens/{id} and in logs
  std::string user;                // whom a request bearing the token acts as
  kms::SecureBytes hash;           // SHA-256 of the token's secret part
  std::int64_t createdMicros = 0;  // set by the store on insert
  std::optional<std::int64_t> revokedMicros;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // Throws kms::Exception(AlreadyExists) when the id is taken.
  virtual void insertToken(const ApiTokenRecord& token) = 0;
  [[nodiscard]] virtual std::optional<ApiTokenRecord> findToken(const std::string& id) = 0;
  // Marks the token revoked (it stays listed, for audit). False when absent or already revoked.
  virtual bool revokeToken(const std::string& id) = 0;
  // Every token, newest first.
  [[nodiscard]] virtual std::vector<ApiTokenRecord> listTokens() = 0;
};

}  // namespace kms::store
