#include "kms/integrations/ms_dke/DkeTokenVerifier.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <fmt/format.h>

#include <algorithm>

#include "kms/auth/AuthenticationError.hpp"
#include "kms/integrations/ms_dke/DkeRefusal.hpp"

namespace kms::integrations::ms_dke {
namespace {

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.ms_dke");
  return instance;
}

// A claim that may be one string or an array of strings ("aud", "roles").
std::vector<std::string> strings(const Poco::JSON::Object& claims, const std::string& name) {
  std::vector<std::string> out;
  if (!claims.has(name)) return out;
  const auto& value = claims.get(name);
  if (value.isString()) {
    out.push_back(value.convert<std::string>());
  } else if (const auto array = claims.getArray(name)) {
    for (unsigned i = 0; i < array->size(); ++i) {
      if (array->get(i).isString()) out.push_back(array->getElement<std::string>(i));
    }
  }
  return out;
}

std::string text(const Poco::JSON::Object& claims, const std::string& name) {
  return claims.has(name) && claims.get(name).isString() ? claims.getValue<std::string>(name) : std::string();
}

}  // namespace

DkeTokenVerifier::DkeTokenVerifier(const std::vector<config::JwtProvider>& providers, std::string userClaim)
    : jwt_(providers, std::move(userClaim)) {}

DkeCaller DkeTokenVerifier::verify(const std::string& authorization, const std::string& peer) {
  const auto space = authorization.find(' ');
  if (authorization.empty() || space == std::string::npos ||
      Poco::toLower(authorization.substr(0, space)) != "bearer") {
    throw DkeRefusal(401, "a bearer token for https://aadrm.com is required", !authorization.empty());
  }
  const std::string token = Poco::trim(authorization.substr(space + 1));
  auth::JwtAuthenticator::Verified verified;
  try {
    verified = jwt_.verify(token);
    const auto audiences = strings(*verified.claims, "aud");
    if (std::find(audiences.begin(), audiences.end(), kAudience) == audiences.end()) {
      throw auth::AuthenticationError("JWT audience is not https://aadrm.com");
    }
  } catch (const auth::AuthenticationError& error) {
    logger().warning(fmt::format("DKE token refused from {}: {}", peer, error.what()));
    throw DkeRefusal(401, "the bearer token is not valid for this key service", true);
  }
  DkeCaller caller;
  caller.user = verified.user;
  caller.email = text(*verified.claims, "email");
  if (caller.email.empty()) caller.email = text(*verified.claims, "upn");
  caller.roles = strings(*verified.claims, "roles");
  return caller;
}

}  // namespace kms::integrations::ms_dke
