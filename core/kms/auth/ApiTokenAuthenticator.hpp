#pragma once
// Bearer tokens starting with "kms_": API tokens issued with POST /tokens (see ApiTokens).
#include "kms/auth/ApiTokens.hpp"
#include "kms/auth/Authenticator.hpp"

namespace kms::auth {

class ApiTokenAuthenticator : public Authenticator {
 public:
  explicit ApiTokenAuthenticator(ApiTokens& tokens);
  std::optional<std::string> authenticate(const Credentials& credentials) override;
  [[nodiscard]] std::string describe() const override { return "API tokens"; }

 private:
  ApiTokens& tokens_;
};

}  // namespace kms::auth
