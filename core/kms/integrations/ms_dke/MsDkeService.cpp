#include "kms/integrations/ms_dke/MsDkeService.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "kms/ErrorTable.hpp"
#include "kms/Exception.hpp"
#include "kms/Base64.hpp"
#include "kms/integrations/ms_dke/DkeRefusal.hpp"

namespace kms::integrations::ms_dke {
namespace {

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.ms_dke");
  return instance;
}

net::RestResponse text(int status, const std::string& message) {
  net::RestResponse response;
  response.status = status;
  response.contentType = "text/plain; charset=utf-8";
  response.body = message;
  return response;
}

net::RestResponse json(const Poco::JSON::Object& object) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(object, out);
  net::RestResponse response;
  response.body = out.str();
  return response;
}

// The reference's challenge: ASP.NET's JwtBearer "WWW-Authenticate: Bearer" (error="invalid_token"
// when a token was sent and failed; never the reason), plus the resource to ask a token for and
// where to ask, in the headers its OnChallenge adds.
net::RestResponse challenge(bool tokenPresented) {
  net::RestResponse response = text(401, "authentication required");
  response.headers.emplace_back("WWW-Authenticate", tokenPresented ? "Bearer error=\"invalid_token\"" : "Bearer");
  response.headers.emplace_back("resource", std::string(DkeTokenVerifier::kAudience));
  response.headers.emplace_back("authorization", std::string(MsDkeService::kAuthorizationUri));
  response.closeConnection = true;
  return response;
}

net::RestResponse methodNotAllowed(const std::string& allowed) {
  net::RestResponse response = text(405, fmt::format("use {} on this DKE route", allowed));
  response.headers.emplace_back("Allow", allowed);
  return response;
}

// The path after /ms_dke, split and percent-decoded; empty when it is no DKE route's shape.
std::vector<std::string> segmentsOf(const std::string& path) {
  std::vector<std::string> out;
  if (path.size() < 2 || path.front() != '/') return {};
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    std::string segment;
    try {
      Poco::URI::decode(path.substr(start, end - start), segment);
    } catch (const Poco::Exception&) {
      return {};
    }
    if (segment.empty()) return {};
    out.push_back(std::move(segment));
    start = end + 1;
  }
  return out;
}

std::string encoded(const std::string& segment) {
  std::string out;
  Poco::URI::encode(segment, "/?#[]@!$&'()*+,;=: %", out);
  return out;
}

// kms::Exception from the operations, answered as the reference would: an object the caller
// cannot reach is an unknown key (400), a right it lacks is 403; the rest keeps kmsd's status.
net::RestResponse failure(const Exception& error) {
  const ErrorInfo& info = ErrorTable::lookup(error.code());
  int status = info.httpStatus;
  if (error.code() == ErrorCode::NotFound || error.code() == ErrorCode::CryptographicFailure ||
      error.code() == ErrorCode::InvalidField || error.code() == ErrorCode::InvalidMessage) {
    status = 400;
  }
  if (error.code() == ErrorCode::PermissionDenied) status = 403;
  return text(status, fmt::format("{}: {}", info.name, error.what()));
}

}  // namespace

MsDkeService::MsDkeService(ops::RequestProcessor& processor, const config::Config& config)
    : tokens_(config.idp.providers, config.idp.userClaim),
      policy_(config.msDke.authorizedEmails, config.msDke.authorizedRoles),
      keys_(processor),
      publisher_(config.msDke.user),
      serviceUrl_(config.msDke.serviceUrl) {
  while (!serviceUrl_.empty() && serviceUrl_.back() == '/') serviceUrl_.pop_back();
}

bool MsDkeService::serves(std::string_view path) const noexcept {
  return path.starts_with(kPrefix) && (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

net::RestResponse MsDkeService::serve(const net::RestRequest& request) {
  const auto segments = segmentsOf(request.path.substr(kPrefix.size()));
  const bool keyRoute = segments.size() == 1;
  const bool decryptRoute = segments.size() == 3 && Poco::toLower(segments[2]) == "decrypt";
  if (!keyRoute && !decryptRoute) return text(404, "no such DKE endpoint");
  if (keyRoute && request.method != "GET") return methodNotAllowed("GET");
  if (decryptRoute && request.method != "POST") return methodNotAllowed("POST");
  try {
    // The public key is public: the reference's GetKey has no [Authorize] (only Decrypt has).
    if (keyRoute) return publicKey(segments[0], request);
    const DkeCaller caller = tokens_.verify(std::string(request.header("authorization")), request.peer);
    return decrypt(caller, segments[0], segments[1], request.body->read());
  } catch (const DkeRefusal& refusal) {
    if (refusal.status() == 401) return challenge(refusal.tokenPresented());
    return text(refusal.status(), refusal.what());
  } catch (const Exception& error) {
    return failure(error);
  }
}

net::RestResponse MsDkeService::publicKey(const std::string& keyName, const net::RestRequest& request) {
  const DkePublicKey key = keys_.publish(publisher_, keyName);
  const std::string base = serviceUrl_.empty() ? request.origin + std::string(kPrefix) : serviceUrl_;

  Poco::JSON::Object jwk(Poco::JSON_PRESERVE_KEY_ORDER);
  jwk.set("kty", "RSA");
  jwk.set("n", Base64::encode(key.modulus));
  jwk.set("e", key.exponent);
  // The reference publishes "RS256" for the algorithm of its RSA-OAEP-256 keys: clients expect it.
  jwk.set("alg", "RS256");
  jwk.set("kid", fmt::format("{}/{}/{}", base, encoded(keyName), encoded(key.privateKeyUid)));
  Poco::JSON::Object cache(Poco::JSON_PRESERVE_KEY_ORDER);
  const Poco::DateTime expires = Poco::DateTime() + Poco::Timespan(kCacheDays, 0, 0, 0, 0);
  cache.set("exp", Poco::DateTimeFormatter::format(expires, "%Y-%m-%dT%H:%M:%S"));
  Poco::JSON::Object answer(Poco::JSON_PRESERVE_KEY_ORDER);
  answer.set("key", jwk);
  answer.set("cache", cache);
  return json(answer);
}

net::RestResponse MsDkeService::decrypt(const DkeCaller& caller, const std::string& keyName, const std::string& keyId,
                                        const std::string& body) {
  keys_.check(caller.user, keyName, keyId);
  if (!policy_.admits(caller)) {
    logger().warning(fmt::format("DKE decryption with {} refused to '{}' by [ms_dke_config]", keyName.substr(0, 100),
                                 caller.user.substr(0, 100)));
    throw DkeRefusal(403, "User does not have access to the key");
  }
  Poco::JSON::Object::Ptr request;
  try {
    request = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    throw DkeRefusal(400, "the body must be a JSON object {\"alg\": \"RSA-OAEP-256\", \"value\": base64}");
  }
  if (!request || !request->has("alg") || !request->get("alg").isString() || !request->has("value") ||
      !request->get("value").isString()) {
    throw DkeRefusal(400, "the body must be a JSON object {\"alg\": \"RSA-OAEP-256\", \"value\": base64}");
  }
  const std::string alg = request->getValue<std::string>("alg");
  if (alg != "RSA-OAEP-256") throw DkeRefusal(400, fmt::format("{} is not supported", alg.substr(0, 40)));
  const auto ciphertext = Base64::decode(request->getValue<std::string>("value"), Base64::Padding::Optional);
  if (!ciphertext || ciphertext->empty()) throw DkeRefusal(400, "\"value\" must be base64");

  const SecureBytes plaintext = keys_.decrypt(caller.user, keyId, *ciphertext);
  Poco::JSON::Object answer;
  std::string value = Base64::encode(plaintext);
  answer.set("value", value);
  net::RestResponse response = json(answer);
  // The plaintext is the caller's content key: leave no copy but the answer's.
  secureZero(value.data(), value.size());
  logger().debug(fmt::format("DKE decryption with {} ({}) for '{}'", keyName.substr(0, 100), keyId.substr(0, 100),
                             caller.user.substr(0, 100)));
  return response;
}

}  // namespace kms::integrations::ms_dke
