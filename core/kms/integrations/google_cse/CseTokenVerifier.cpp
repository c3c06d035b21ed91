#include "kms/integrations/google_cse/CseTokenVerifier.hpp"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <fmt/format.h>

#include <algorithm>

#include "kms/auth/AuthenticationError.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/integrations/google_cse/CseRefusal.hpp"
#include "kms/integrations/google_cse/WrappedKey.hpp"

namespace kms::integrations::google_cse {
namespace {

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.google_cse");
  return instance;
}

std::string text(const Poco::JSON::Object& claims, const std::string& name) {
  return claims.has(name) && claims.get(name).isString() ? claims.getValue<std::string>(name) : std::string();
}

std::vector<config::JwtProvider> authorizationProviders(const config::GoogleCseConfig& cse) {
  const auto issuers = cse.authorizationIssuers.empty() ? CseTokenVerifier::googleIssuers() : cse.authorizationIssuers;
  const auto& uris = cse.authorizationJwksUris;
  if (uris.size() > 1 && uris.size() != issuers.size()) {
    throw config::ConfigError(
        fmt::format("google_cse_authorization_jwks_uri: {} URIs for {} issuers (give one for all, or one per issuer)",
                    uris.size(), issuers.size()));
  }
  std::vector<config::JwtProvider> out;
  for (std::size_t i = 0; i < issuers.size(); ++i) {
    config::JwtProvider provider;
    provider.issuer = issuers[i];
    if (uris.empty()) {
      provider.jwksUri = CseTokenVerifier::googleJwksUri(issuers[i]);
    } else {
      provider.jwksUri = uris.size() == 1 ? uris[0] : uris[i];
    }
    provider.audiences = {std::string(CseTokenVerifier::kAudience)};
    out.push_back(std::move(provider));
  }
  return out;
}

CseRefusal unauthenticated(std::string_view which, const std::string& reason, const std::string& peer) {
  logger().warning(fmt::format("Google CSE {} token refused from {}: {}", which, peer, reason));
  return {401, fmt::format("the {} token is not valid for this KACLS", which)};
}

CseRefusal forbidden(const std::string& message, const std::string& peer) {
  logger().warning(fmt::format("Google CSE call refused from {}: {}", peer, message));
  return {403, message};
}

}  // namespace

std::vector<std::string> CseTokenVerifier::googleIssuers() {
  std::vector<std::string> out;
  for (const char* application : {"drive", "meet", "calendar", "gmail"}) {
    out.push_back(fmt::format("gsuitecse-tokenissuer-{}@system.gserviceaccount.com", application));
  }
  out.emplace_back("apps-security-cse-kaclscommunication@system.gserviceaccount.com");  // KACLS migration
  return out;
}

std::string CseTokenVerifier::normalizedUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string CseTokenVerifier::googleJwksUri(const std::string& issuer) {
  return "https://www.googleapis.com/service_accounts/v1/jwk/" + issuer;
}

CseTokenVerifier::CseTokenVerifier(const config::Config& config, std::string kaclsUrl)
    : identity_(config.idp.providers, config.idp.userClaim),
      google_(authorizationProviders(config.googleCse), "email"),
      kaclsUrl_(normalizedUrl(std::move(kaclsUrl))),
      perimeter_(config.googleCse.allowedDomains, config.googleCse.blockedUsers) {}

CseIdentity CseTokenVerifier::authenticate(const std::string& token, const std::string& peer) {
  if (token.empty()) throw CseRefusal(401, "the authentication token is missing");
  auth::JwtAuthenticator::Verified verified;
  try {
    verified = identity_.verify(token);
  } catch (const auth::AuthenticationError& error) {
    throw unauthenticated("authentication", error.what(), peer);
  }
  CseIdentity identity;
  identity.user = verified.user;
  // Google's guide: google_email when the token has it (the user's Workspace identity differs
  // from the identity provider's), else email.
  identity.email = text(*verified.claims, "google_email");
  if (identity.email.empty()) identity.email = text(*verified.claims, "email");
  if (identity.email.empty()) {
    throw unauthenticated("authentication", "the token has neither a google_email nor an email claim", peer);
  }
  return identity;
}

CseAuthorization CseTokenVerifier::authorize(const std::string& token, std::initializer_list<std::string_view> roles,
                                             const std::string& peer) {
  if (token.empty()) throw CseRefusal(401, "the authorization token is missing");
  auth::JwtAuthenticator::Verified verified;
  try {
    verified = google_.verify(token);
  } catch (const auth::AuthenticationError& error) {
    throw unauthenticated("authorization", error.what(), peer);
  }
  const auto& claims = *verified.claims;
  CseAuthorization out;
  out.email = verified.user;
  out.role = text(claims, "role");
  out.resourceName = text(claims, "resource_name");
  out.perimeterId = text(claims, "perimeter_id");
  out.spkiHash = text(claims, "spki_hash");
  out.spkiHashAlgorithm = text(claims, "spki_hash_algorithm");
  // kacls_url is what stops a token Google issued for another KACLS from working here.
  if (normalizedUrl(text(claims, "kacls_url")) != kaclsUrl_) {
    throw forbidden(fmt::format("the authorization token is for another KACLS (kacls_url is not {})", kaclsUrl_), peer);
  }
  if (std::none_of(roles.begin(), roles.end(), [&](std::string_view role) { return role == out.role; })) {
    std::string allowed;
    for (const auto role : roles) allowed += (allowed.empty() ? "" : " or ") + std::string(role);
    throw forbidden(fmt::format("the authorization token's role does not allow this operation (needs {})", allowed),
                    peer);
  }
  if (out.resourceName.empty() || out.resourceName.size() > kMaxResourceName) {
    throw forbidden("the authorization token names no resource, or one longer than 128 bytes", peer);
  }
  if (out.perimeterId.size() > WrappedKey::kMaxPerimeter) {
    throw forbidden("the authorization token's perimeter_id is longer than 128 bytes", peer);
  }
  try {
    perimeter_.check(out.email);
  } catch (const CseRefusal& refusal) {
    logger().warning(
        fmt::format("Google CSE call refused from {} to '{}': {}", peer, out.email.substr(0, 100), refusal.details()));
    throw;
  }
  return out;
}

std::pair<CseIdentity, CseAuthorization> CseTokenVerifier::verify(const std::string& authentication,
                                                                  const std::string& authorization,
                                                                  std::initializer_list<std::string_view> roles,
                                                                  const std::string& peer) {
  CseIdentity identity = authenticate(authentication, peer);
  CseAuthorization granted = authorize(authorization, roles, peer);
  if (Poco::icompare(identity.email, granted.email) != 0) {
    throw forbidden("the authentication and authorization tokens are for different users", peer);
  }
  return {std::move(identity), std::move(granted)};
}

}  // namespace kms::integrations::google_cse
