#include "kms/auth/JwtAuthenticator.hpp"

#include <Poco/JWT/Token.h>
#include <Poco/Timestamp.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "kms/auth/AuthenticationError.hpp"
#include "kms/auth/ApiTokens.hpp"

namespace kms::auth {
namespace {

constexpr double kMaxNumericDate = 253'402'300'799;  // 9999-12-31T23:59:59Z

// Text from the token, shown in a log line: bounded and without control characters, since
// the token is attacker-supplied.
std::string shown(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 80)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
  return text.size() > 80 ? out + "..." : out;
}

// A NumericDate claim (seconds since the epoch; JSON may carry it as an integer or a float).
std::optional<std::int64_t> numericDate(const Poco::JSON::Object& payload, const std::string& claim) {
  if (!payload.has(claim)) return std::nullopt;
  const auto& value = payload.get(claim);
  if (!value.isNumeric()) throw AuthenticationError(fmt::format("JWT claim \"{}\" is not a number", claim));
  const double seconds = value.convert<double>();
  if (!std::isfinite(seconds)) throw AuthenticationError(fmt::format("JWT claim \"{}\" is not a number", claim));
  // Beyond year 9999 either way: converting to int64 (and adding the skew) could overflow,
  // which is undefined and on x86 turned "nbf": 1e308 into a date long past (found by fuzz_jwt).
  if (std::fabs(seconds) > kMaxNumericDate) {
    throw AuthenticationError(fmt::format("JWT claim \"{}\" is out of range", claim));
  }
  return static_cast<std::int64_t>(seconds);
}

std::vector<std::string> audiencesOf(const Poco::JSON::Object& payload) {
  std::vector<std::string> out;
  if (!payload.has("aud")) return out;
  const auto& aud = payload.get("aud");
  if (aud.isString()) {
    out.push_back(aud.convert<std::string>());
  } else if (const auto array = payload.getArray("aud")) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (array->get(static_cast<unsigned>(i)).isString()) {
        out.push_back(array->getElement<std::string>(static_cast<unsigned>(i)));
      }
    }
  }
  return out;
}

}  // namespace

JwtAuthenticator::JwtAuthenticator(const std::vector<config::JwtProvider>& providers, std::string userClaim,
                                   std::chrono::seconds jwksMinRefresh)
    : userClaim_(std::move(userClaim)) {
  for (const auto& provider : providers) {
    providers_.push_back(Provider{provider, std::make_unique<JwksCache>(provider.jwksUri, jwksMinRefresh)});
  }
}

std::optional<std::string> JwtAuthenticator::authenticate(const Credentials& credentials) {
  if (!credentials.bearer || ApiTokens::looksLikeToken(*credentials.bearer)) return std::nullopt;
  return verify(*credentials.bearer).user;
}

JwtAuthenticator::Verified JwtAuthenticator::verify(const std::string& jwt) {
  // Read unverified, only to find which provider and key should verify it.
  Poco::JWT::Token unverified;
  try {
    unverified = Poco::JWT::Token(jwt);
  } catch (const Poco::Exception&) {
    throw AuthenticationError("malformed JWT");
  }
  const auto& header = unverified.header();
  const std::string issuer = unverified.payload().has("iss") && unverified.payload().get("iss").isString()
                                 ? unverified.getIssuer()
                                 : std::string();
  const auto provider =
      std::find_if(providers_.begin(), providers_.end(), [&](const Provider& p) { return p.config.issuer == issuer; });
  if (provider == providers_.end()) {
    throw AuthenticationError(fmt::format("JWT from unknown issuer '{}'", shown(issuer)));
  }
  const std::string kid = header.has("kid") && header.get("kid").isString() ? header.getValue<std::string>("kid") : "";
  const std::string alg = unverified.getAlgorithm();

  std::vector<std::shared_ptr<const JwkKey>> keys;
  try {
    keys = provider->keys->keysFor(kid);
  } catch (const std::exception& error) {
    throw AuthenticationError(error.what());
  }
  const bool verified = std::any_of(keys.begin(), keys.end(),
                                    [&](const auto& key) { return key->algorithm() == alg && key->verifies(jwt); });
  if (!verified) {
    throw AuthenticationError(fmt::format("JWT signature not verified by any key of '{}' (alg '{}', kid '{}')",
                                          shown(issuer), shown(alg), shown(kid)));
  }

  // The signature holds: the claims are the issuer's.
  const auto& payload = unverified.payload();
  const auto now = static_cast<std::int64_t>(Poco::Timestamp().epochTime());
  const auto skew = static_cast<std::int64_t>(kClockSkew.count());
  const auto expires = numericDate(payload, "exp");
  if (!expires) throw AuthenticationError("JWT without \"exp\"");
  if (now > *expires + skew) throw AuthenticationError(fmt::format("JWT expired {} s ago", now - *expires));
  if (const auto notBefore = numericDate(payload, "nbf"); notBefore && now + skew < *notBefore) {
    throw AuthenticationError("JWT not valid yet (nbf)");
  }
  const auto& wanted = provider->config.audiences;
  if (!wanted.empty()) {
    const auto audiences = audiencesOf(payload);
    const bool match = std::any_of(audiences.begin(), audiences.end(), [&](const std::string& audience) {
      return std::find(wanted.begin(), wanted.end(), audience) != wanted.end();
    });
    if (!match) throw AuthenticationError("JWT audience is not one of the configured audiences");
  }
  if (!payload.has(userClaim_) || !payload.get(userClaim_).isString()) {
    throw AuthenticationError(fmt::format("JWT without a \"{}\" claim", shown(userClaim_)));
  }
  std::string user = payload.getValue<std::string>(userClaim_);
  if (user.empty() ||
      std::any_of(user.begin(), user.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    throw AuthenticationError(fmt::format("JWT \"{}\" claim is not a usable user name", shown(userClaim_)));
  }
  return Verified{user, new Poco::JSON::Object(payload)};
}

std::string JwtAuthenticator::describe() const {
  std::string issuers;
  for (const auto& provider : providers_) {
    if (!issuers.empty()) issuers += ", ";
    issuers += provider.config.issuer;
  }
  return fmt::format("JWT ({}; user = \"{}\")", issuers, userClaim_);
}

}  // namespace kms::auth
