#include "kms/auth/JwksCache.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kms::auth {
namespace {

constexpr std::size_t kMaxDocument = std::size_t{1} << 20;
constexpr int kTimeoutSeconds = 5;

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.auth");
  return instance;
}

std::string readLimited(std::istream& in, const std::string& what) {
  std::string out;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    out.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out.size() > kMaxDocument) throw std::runtime_error(what + ": JWKS document larger than 1 MiB");
  }
  return out;
}

}  // namespace

JwksCache::JwksCache(std::string uri, std::chrono::seconds minRefresh, std::chrono::seconds maxAge)
    : uri_(std::move(uri)), minRefresh_(minRefresh), maxAge_(maxAge) {}

std::vector<std::shared_ptr<const JwkKey>> JwksCache::parse(const std::string& json) {
  Poco::JSON::Object::Ptr root;
  try {
    root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    throw std::runtime_error("JWKS document is not a JSON object");
  }
  const auto array = root ? root->getArray("keys") : nullptr;
  if (!array) throw std::runtime_error("JWKS document without a \"keys\" array");
  std::vector<std::shared_ptr<const JwkKey>> keys;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto jwk = array->getObject(static_cast<unsigned>(i));
    if (!jwk) continue;
    try {
      keys.push_back(std::make_shared<const JwkKey>(JwkKey::fromJson(*jwk)));
    } catch (const Poco::Exception& error) {
      logger().debug(fmt::format("JWKS key #{} skipped: {}", i, error.displayText()));
    } catch (const std::exception& error) {
      logger().debug(fmt::format("JWKS key #{} skipped: {}", i, error.what()));
    }
  }
  return keys;
}

std::string JwksCache::fetchDocument() const {
  const bool web = uri_.starts_with("http://") || uri_.starts_with("https://");
  if (!web) {
    const std::string path = uri_.starts_with("file://") ? uri_.substr(7) : uri_;
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("cannot read JWKS file '{}'", path));
    return readLimited(file, path);
  }
  const Poco::URI uri(uri_);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    // Chain and host name verified against the system CAs: the keys decide who is who.
    static const Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_STRICT, 9, true);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  session->setTimeout(Poco::Timespan(kTimeoutSeconds, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Accept", "application/json");
  session->sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session->receiveResponse(response);
  if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    throw std::runtime_error(fmt::format("GET {} answered HTTP {}", uri_, static_cast<int>(response.getStatus())));
  }
  return readLimited(body, uri_);
}

void JwksCache::refresh(Clock::time_point now) {
  attemptedAt_ = now;
  try {
    auto keys = parse(fetchDocument());
    logger().information(fmt::format("JWKS {}: {} signing key(s) loaded", uri_, keys.size()));
    keys_ = std::move(keys);
    fetchedAt_ = now;
  } catch (const Poco::Exception& error) {
    logger().warning(fmt::format("JWKS {}: fetch failed: {}", uri_, error.displayText()));
  } catch (const std::exception& error) {
    logger().warning(fmt::format("JWKS {}: fetch failed: {}", uri_, error.what()));
  }
}

std::vector<std::shared_ptr<const JwkKey>> JwksCache::keysFor(const std::string& kid) {
  const auto now = Clock::now();
  const std::lock_guard lock(mutex_);
  const bool mayRetry = !attemptedAt_ || now - *attemptedAt_ >= minRefresh_;
  if (!fetchedAt_ || now - *fetchedAt_ >= maxAge_) {
    if (mayRetry) refresh(now);
  }
  const auto select = [&] {
    std::vector<std::shared_ptr<const JwkKey>> out;
    for (const auto& key : keys_) {
      if (kid.empty() || key->kid() == kid) out.push_back(key);
    }
    return out;
  };
  auto selected = select();
  if (selected.empty() && !kid.empty() && attemptedAt_ && now - *attemptedAt_ >= minRefresh_) {
    refresh(now);  // a key id we do not know yet: the provider may have rotated its keys
    selected = select();
  }
  if (!fetchedAt_) throw std::runtime_error(fmt::format("no JWKS could be fetched from {}", uri_));
  return selected;
}

}  // namespace kms::auth
