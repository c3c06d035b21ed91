#include "kms/auth/ApiTokenAuthenticator.hpp"

namespace kms::auth {

ApiTokenAuthenticator::ApiTokenAuthenticator(ApiTokens& tokens) : tokens_(tokens) {}

std::optional<std::string> ApiTokenAuthenticator::authenticate(const Credentials& credentials) {
  if (!credentials.bearer || !ApiTokens::looksLikeToken(*credentials.bearer)) return std::nullopt;
  return tokens_.verify(*credentials.bearer);
}

}  // namespace kms::auth
