#include "kms/integrations/google_cse/GoogleCseService.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>

#include "kms/Base64.hpp"
#include "kms/ErrorTable.hpp"
#include "kms/Exception.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/Version.hpp"
#include "kms/integrations/google_cse/CsePrivateKey.hpp"
#include "kms/integrations/google_cse/CseRefusal.hpp"
#include "kms/integrations/google_cse/ResourceKeyHash.hpp"
#include "kms/keys/ConstantTime.hpp"

namespace kms::integrations::google_cse {
namespace {

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.google_cse");
  return instance;
}

// Google's size limits: a DEK of at most 128 bytes, a wrapped DEK of 1 KB, a wrapped private
// key of 8 KB, a reason of 1 KB.
constexpr std::size_t kMaxDek = 128;
constexpr std::size_t kMaxWrappedKey = 1024;
constexpr std::size_t kMaxWrappedPrivateKey = std::size_t{8} * 1024;
constexpr std::size_t kMaxEncryptedDek = 1024;
constexpr std::size_t kMaxReason = 1024;
constexpr std::size_t kMaxToken = std::size_t{16} * 1024;            // a JWT; Google's are some 1 KB
constexpr std::size_t kMaxPrivateKeyField = std::size_t{12} * 1024;  // PEM of a 4096-bit key, with room

constexpr std::array<std::string_view, 11> kOperations{"digest",           "privatekeydecrypt",
                                                       "privatekeysign",   "privilegedprivatekeydecrypt",
                                                       "privilegedunwrap", "privilegedwrap",
                                                       "rewrap",           "status",
                                                       "unwrap",           "wrap",
                                                       "wrapprivatekey"};

std::string kaclsUrlOf(const config::Config& config) {
  if (config.publicUrl.empty()) {
    throw config::ConfigError(
        "google_cse_enable needs kms_public_url: Google's authorization tokens name the KACLS URL, kms_public_url + "
        "/google_cse, and kmsd refuses tokens for any other");
  }
  return CseTokenVerifier::normalizedUrl(config.publicUrl) + std::string(GoogleCseService::kPrefix);
}

net::RestResponse reply(int status, std::string body) {
  net::RestResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Google's structured error reply.
net::RestResponse error(int status, const std::string& message, const std::string& details) {
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("code", status);
  body.set("message", message);
  body.set("details", details);
  std::ostringstream out;
  body.stringify(out);
  net::RestResponse response = reply(status, out.str());
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

// One member of an answer: the JSON text of a Base64 value needs no escaping.
std::string member(std::string_view name, const std::string& value) {
  return fmt::format(R"("{}":"{}")", name, value);
}

std::string object(std::initializer_list<std::string> members) {
  std::string out = "{";
  for (const auto& m : members) out.append(out.size() > 1 ? "," : "").append(m);
  return out + "}";
}

}  // namespace

// One call: its parsed body, who made it, and the context its kmsd operations run in.
class GoogleCseService::Call {
 public:
  Call(const net::RestRequest& request, std::string operation) : request_(request), operation_(std::move(operation)) {
    std::string body = request.body->read();
    try {
      Poco::JSON::Parser parser;
      parser.setDepth(4);  // the requests are flat objects
      body_ = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
      body_ = nullptr;
    }
    secureZero(body.data(), body.size());  // it held the DEK or private key of wrap calls
    if (body_.isNull()) throw CseRefusal(400, "the request body must be a JSON object");
  }

  [[nodiscard]] const std::string& peer() const noexcept { return request_.peer; }
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }

  // A string member; empty when absent and not `required`.
  [[nodiscard]] std::string text(const std::string& name, bool required, std::size_t maxBytes) const {
    if (!body_->has(name) || body_->get(name).isEmpty()) {
      if (required) throw CseRefusal(400, fmt::format("{} is missing", name));
      return {};
    }
    if (!body_->get(name).isString()) throw CseRefusal(400, fmt::format("{} must be a string", name));
    std::string value = body_->getValue<std::string>(name);
    if (value.size() > maxBytes) throw CseRefusal(400, fmt::format("{} is longer than {} bytes", name, maxBytes));
    return value;
  }

  // A Base64 member of at most `maxBytes` decoded bytes, not empty.
  [[nodiscard]] SecureBytes bytes(const std::string& name, std::size_t maxBytes, bool required = true) const {
    std::string encoded = text(name, required, (maxBytes + 2) / 3 * 4);
    if (encoded.empty()) return {};
    auto decoded = Base64::decode(encoded);
    secureZero(encoded.data(), encoded.size());
    if (!decoded || decoded->empty()) throw CseRefusal(400, fmt::format("{} must be standard Base64", name));
    if (decoded->size() > maxBytes) throw CseRefusal(400, fmt::format("{} is longer than {} bytes", name, maxBytes));
    return std::move(*decoded);
  }

  [[nodiscard]] std::optional<int> integer(const std::string& name) const {
    if (!body_->has(name) || body_->get(name).isEmpty()) return std::nullopt;
    const auto& value = body_->get(name);
    if (!value.isInteger()) throw CseRefusal(400, fmt::format("{} must be an integer", name));
    return value.convert<int>();
  }

  // The context of this call's operations, run as `user`; the audit log records the CSE
  // operation, the resource and the caller's reason (a passthrough JSON text, bounded).
  [[nodiscard]] ops::RequestContext context(const std::string& user, const std::string& resourceName) const {
    ops::RequestContext out{user};
    out.transport = "google-cse";
    out.peer = request_.peer;
    out.auditFields.emplace_back("cseOperation", operation_);
    if (!resourceName.empty()) out.auditFields.emplace_back("resourceName", resourceName);
    const std::string reason = text("reason", false, kMaxReason);
    if (!reason.empty()) out.auditFields.emplace_back("reason", reason);
    return out;
  }

 private:
  const net::RestRequest& request_;
  std::string operation_;
  Poco::JSON::Object::Ptr body_;
};

GoogleCseService::GoogleCseService(ops::RequestProcessor& processor, const config::Config& config)
    : kaclsUrl_(kaclsUrlOf(config)),
      tokens_(config, kaclsUrl_),
      keys_(processor, config.googleCse.keyId),
      privilegedUsers_(config.googleCse.privilegedUsers),
      allowedOrigins_(config.googleCse.allowedOrigins),
      pkcs1v15Decrypt_(config.rsaPkcs1v15Decrypt) {}

bool GoogleCseService::serves(std::string_view path) const noexcept {
  return path.starts_with(kPrefix) && (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

net::RestResponse GoogleCseService::serve(const net::RestRequest& request) {
  if (request.method == "OPTIONS") return preflight(request);
  net::RestResponse response = answer(request);
  const std::string_view origin = request.header("origin");
  if (!origin.empty() && allowedOrigin(origin)) {
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    response.headers.emplace_back("Vary", "Origin");
  }
  return response;
}

bool GoogleCseService::allowedOrigin(std::string_view origin) const {
  return std::any_of(allowedOrigins_.begin(), allowedOrigins_.end(),
                     [&](const std::string& allowed) { return Poco::icompare(allowed, std::string(origin)) == 0; });
}

net::RestResponse GoogleCseService::preflight(const net::RestRequest& request) const {
  const std::string_view origin = request.header("origin");
  if (origin.empty() || !allowedOrigin(origin)) {
    return error(403, "this origin may not call the KACLS", "the Origin is not in google_cse_allowed_origins");
  }
  net::RestResponse response = reply(204, {});
  response.contentType.clear();
  response.headers = {{"Access-Control-Allow-Origin", std::string(origin)},
                      {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                      {"Access-Control-Allow-Headers", "Content-Type, Authorization"},
                      {"Access-Control-Max-Age", "3600"},
                      {"Vary", "Origin"}};
  return response;
}

net::RestResponse GoogleCseService::answer(const net::RestRequest& request) {
  std::string_view rest = std::string_view(request.path).substr(kPrefix.size());
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::string operation(rest);
  if (std::find(kOperations.begin(), kOperations.end(), operation) == kOperations.end()) {
    return error(404, "no such KACLS endpoint",
                 fmt::format("{} is not an operation of this KACLS", rest.substr(0, 60)));
  }
  const bool get = operation == "status";
  if (request.method != (get ? "GET" : "POST")) {
    net::RestResponse response =
        error(405, fmt::format("use {} on {}", get ? "GET" : "POST", operation), "method not allowed");
    response.headers.emplace_back("Allow", get ? "GET" : "POST");
    return response;
  }
  try {
    if (get) return reply(200, status());
    Call call(request, operation);
    std::string body;
    if (operation == "wrap") body = wrap(call);
    if (operation == "unwrap") body = unwrap(call);
    if (operation == "digest") body = digest(call);
    if (operation == "rewrap") body = rewrap(call);
    if (operation == "privilegedwrap") body = privilegedWrap(call);
    if (operation == "privilegedunwrap") body = privilegedUnwrap(call);
    if (operation == "privatekeysign") body = privateKeySign(call);
    if (operation == "privatekeydecrypt") body = privateKeyDecrypt(call, false);
    if (operation == "privilegedprivatekeydecrypt") body = privateKeyDecrypt(call, true);
    if (operation == "wrapprivatekey") body = wrapPrivateKey(call);
    return reply(200, std::move(body));
  } catch (const CseRefusal& refusal) {
    return error(refusal.status(), refusal.what(), refusal.details().empty() ? refusal.what() : refusal.details());
  } catch (const Exception& failure) {
    const ErrorInfo& info = ErrorTable::lookup(failure.code());
    if (info.httpStatus >= 500) logger().error(fmt::format("Google CSE {}: {}", operation, failure.what()));
    return error(info.httpStatus, "the KACLS could not complete the request",
                 fmt::format("{}: {}", info.name, failure.what()));
  }
}

std::string GoogleCseService::status() const {
  std::string operations;
  for (const auto name : kOperations) {
    operations.append(operations.empty() ? "" : ",").append(fmt::format("\"{}\"", name));
  }
  return fmt::format(
      R"({{"server_type":"KACLS","vendor_id":"kmsd","version":"{}","name":"kmsd KACLS","operations_supported":[{}]}})",
      config::kVersion, operations);
}

std::string GoogleCseService::wrap(Call& call) {
  const auto [identity, granted] =
      tokens_.verify(call.text("authentication", true, kMaxToken), call.text("authorization", true, kMaxToken),
                     {"writer", "upgrader"}, call.peer());
  const SecureBytes key = call.bytes("key", kMaxDek);
  const auto blob = keys_.wrap(call.context(identity.user, granted.resourceName), WrappedKey::Kind::Dek, key,
                               granted.resourceName, granted.perimeterId);
  return object({member("wrapped_key", Base64::encode(blob))});
}

std::string GoogleCseService::unwrap(Call& call) {
  const auto [identity, granted] =
      tokens_.verify(call.text("authentication", true, kMaxToken), call.text("authorization", true, kMaxToken),
                     {"reader", "writer"}, call.peer());
  const auto payload = keys_.unwrap(call.context(identity.user, granted.resourceName), WrappedKey::Kind::Dek,
                                    call.bytes("wrapped_key", kMaxWrappedKey), granted.resourceName);
  return object({member("key", Base64::encode(payload.key))});
}

std::string GoogleCseService::digest(Call& call) {
  const auto granted = tokens_.authorize(call.text("authorization", true, kMaxToken), {"verifier"}, call.peer());
  const auto payload = keys_.unwrap(call.context(granted.email, granted.resourceName), WrappedKey::Kind::Dek,
                                    call.bytes("wrapped_key", kMaxWrappedKey), granted.resourceName);
  return object(
      {member("resource_key_hash", ResourceKeyHash::of(payload.key, granted.resourceName, payload.perimeterId))});
}

std::string GoogleCseService::rewrap(Call& call) {
  const auto granted = tokens_.authorize(call.text("authorization", true, kMaxToken), {"migrator"}, call.peer());
  // kmsd rewraps what it wrapped itself, with whichever key that was, under the current key:
  // the rotation of google_cse_key_id. Blobs of another vendor's KACLS are not readable here.
  if (CseTokenVerifier::normalizedUrl(call.text("original_kacls_url", true, 2048)) != kaclsUrl_) {
    throw CseRefusal(400, "original_kacls_url must be this KACLS: kmsd rewraps only the keys it wrapped");
  }
  const auto context = call.context(granted.email, granted.resourceName);
  const auto payload =
      keys_.unwrap(context, WrappedKey::Kind::Dek, call.bytes("wrapped_key", kMaxWrappedKey), granted.resourceName);
  const auto blob = keys_.wrap(context, WrappedKey::Kind::Dek, payload.key, granted.resourceName, payload.perimeterId);
  return object(
      {member("wrapped_key", Base64::encode(blob)),
       member("resource_key_hash", ResourceKeyHash::of(payload.key, granted.resourceName, payload.perimeterId))});
}

CseIdentity GoogleCseService::privileged(Call& call) {
  CseIdentity identity = tokens_.authenticate(call.text("authentication", true, kMaxToken), call.peer());
  const bool listed = std::any_of(privilegedUsers_.begin(), privilegedUsers_.end(), [&](const std::string& user) {
    return Poco::icompare(user, identity.email) == 0 || Poco::icompare(user, identity.user) == 0;
  });
  if (!listed) {
    logger().warning(fmt::format("Google CSE {} refused to '{}' from {}: not in google_cse_privileged_users",
                                 call.operation(), identity.user.substr(0, 100), call.peer()));
    throw CseRefusal(
        403, fmt::format("{} is a privileged operation: the caller is not a KACLS administrator", call.operation()));
  }
  return identity;
}

std::string GoogleCseService::privilegedWrap(Call& call) {
  const CseIdentity identity = privileged(call);
  const std::string resource = call.text("resource_name", true, CseTokenVerifier::kMaxResourceName);
  const std::string perimeter = call.text("perimeter_id", false, WrappedKey::kMaxPerimeter);
  const SecureBytes key = call.bytes("key", kMaxDek);
  const auto blob = keys_.wrap(call.context(identity.user, resource), WrappedKey::Kind::Dek, key, resource, perimeter);
  return object({member("wrapped_key", Base64::encode(blob))});
}

std::string GoogleCseService::privilegedUnwrap(Call& call) {
  const CseIdentity identity = privileged(call);
  const std::string resource = call.text("resource_name", true, CseTokenVerifier::kMaxResourceName);
  const auto payload = keys_.unwrap(call.context(identity.user, resource), WrappedKey::Kind::Dek,
                                    call.bytes("wrapped_key", kMaxWrappedKey), resource);
  return object({member("key", Base64::encode(payload.key))});
}

SecureBytes GoogleCseService::unwrapPrivateKey(Call& call, const ops::RequestContext& context,
                                               const std::string& spkiHash, const std::string& spkiAlgorithm) {
  auto payload =
      keys_.unwrap(context, WrappedKey::Kind::PrivateKey, call.bytes("wrapped_private_key", kMaxWrappedPrivateKey), {});
  // Gmail's tokens name the key they authorize by the hash of its public key: the blob the
  // client sent must hold that key, not another user's.
  if (!spkiHash.empty()) {
    const std::string actual =
        CsePrivateKey::spkiHash(payload.key, spkiAlgorithm.empty() ? std::string_view("SHA-256") : spkiAlgorithm);
    const auto* a = reinterpret_cast<const std::uint8_t*>(actual.data());
    const auto* b = reinterpret_cast<const std::uint8_t*>(spkiHash.data());
    if (!keys::constantTimeEquals({a, actual.size()}, {b, spkiHash.size()})) {
      throw CseRefusal(403, "wrapped_private_key is not the key the authorization names (spki_hash differs)");
    }
  }
  return std::move(payload.key);
}

std::string GoogleCseService::privateKeySign(Call& call) {
  const auto [identity, granted] = tokens_.verify(call.text("authentication", true, kMaxToken),
                                                  call.text("authorization", true, kMaxToken), {"signer"}, call.peer());
  const std::string algorithm = call.text("algorithm", true, 64);
  const SecureBytes digestValue = call.bytes("digest", 128);
  const auto salt = call.integer("rsa_pss_salt_length");
  const SecureBytes key = unwrapPrivateKey(call, call.context(identity.user, granted.resourceName), granted.spkiHash,
                                           granted.spkiHashAlgorithm);
  return object({member("signature", Base64::encode(CsePrivateKey::sign(key, algorithm, digestValue, salt)))});
}

std::string GoogleCseService::privateKeyDecrypt(Call& call, bool privilegedCall) {
  std::string user;
  std::string resource;
  std::string spkiHash;
  std::string spkiAlgorithm;
  if (privilegedCall) {
    user = privileged(call).user;
    spkiHash = call.text("spki_hash", true, 128);
    spkiAlgorithm = call.text("spki_hash_algorithm", true, 32);
  } else {
    const auto [identity, granted] =
        tokens_.verify(call.text("authentication", true, kMaxToken), call.text("authorization", true, kMaxToken),
                       {"decrypter"}, call.peer());
    user = identity.user;
    resource = granted.resourceName;
    spkiHash = granted.spkiHash;
    spkiAlgorithm = granted.spkiHashAlgorithm;
  }
  const std::string algorithm = call.text("algorithm", true, 64);
  const SecureBytes encrypted = call.bytes("encrypted_data_encryption_key", kMaxEncryptedDek);
  const SecureBytes label = call.bytes("rsa_oaep_label", 1024, false);
  const SecureBytes key = unwrapPrivateKey(call, call.context(user, resource), spkiHash, spkiAlgorithm);
  const SecureBytes dek = CsePrivateKey::decrypt(key, algorithm, encrypted, label, pkcs1v15Decrypt_);
  return object({member("data_encryption_key", Base64::encode(dek))});
}

std::string GoogleCseService::wrapPrivateKey(Call& call) {
  const CseIdentity identity = privileged(call);
  const std::string perimeter = call.text("perimeter_id", false, WrappedKey::kMaxPerimeter);
  std::string field = call.text("private_key", true, kMaxPrivateKeyField);
  const SecureBytes key = CsePrivateKey::readPrivateKey(field);
  secureZero(field.data(), field.size());
  const auto blob = keys_.wrap(call.context(identity.user, {}), WrappedKey::Kind::PrivateKey, key, {}, perimeter);
  return object({member("wrapped_private_key", Base64::encode(blob))});
}

}  // namespace kms::integrations::google_cse
