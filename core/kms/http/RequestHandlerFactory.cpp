#include "kms/http/RequestHandlerFactory.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <memory>
#include <string_view>

#include "kms/http/AccessHandler.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/HealthHandler.hpp"
#include "kms/http/HsmStatusHandler.hpp"
#include "kms/http/MetricsHandler.hpp"
#include "kms/http/RewrapHandler.hpp"
#include "kms/http/KmipHandler.hpp"
#include "kms/http/LoggingHandler.hpp"
#include "kms/http/MeHandler.hpp"
#include "kms/http/RestServiceHandler.hpp"
#include "kms/http/StatusHandler.hpp"
#include "kms/http/TokenHandler.hpp"
#include "kms/http/VersionHandler.hpp"

namespace kms::http {
namespace {

constexpr std::string_view kAccessList = "/access/list/";
constexpr std::string_view kTokens = "/tokens/";

// A path segment, percent-decoded (UIDs may hold characters clients escape); an undecodable
// segment is kept as sent and will simply match nothing.
std::string decoded(std::string_view segment) {
  std::string out;
  try {
    Poco::URI::decode(std::string(segment), out);
  } catch (const Poco::Exception&) {
    out = segment;
  }
  return out;
}

Poco::Net::HTTPRequestHandler* methodNotAllowed(std::string_view method, std::string_view path,
                                                std::string_view allowed) {
  return new StatusHandler(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                           fmt::format("method {} is not allowed on {} (use {})", method.substr(0, 20), path, allowed),
                           std::string(allowed));
}

}  // namespace

RequestHandlerFactory::RequestHandlerFactory(const HandlerContext& context) : context_(context) {}

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  return new LoggingHandler(std::unique_ptr<Poco::Net::HTTPRequestHandler>(route(request)));
}

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::route(const Poco::Net::HTTPServerRequest& request) {
  const std::string& uri = request.getURI();
  const std::string_view path = std::string_view(uri).substr(0, uri.find('?'));
  const std::string& method = request.getMethod();
  const bool get = method == Poco::Net::HTTPRequest::HTTP_GET;
  const bool post = method == Poco::Net::HTTPRequest::HTTP_POST;

  for (auto* service : context_.restServices) {
    if (service->serves(path)) return new RestServiceHandler(*service);
  }

  if (path == "/kmip/2_1" || path == "/kmip") {
    if (!post) return methodNotAllowed(method, path, "POST");
    // Poco answers "Expect: 100-continue" only while the status is 200: a body declared too
    // large is refused before the client sends it.
    if (BodyReader::declaresMoreThan(request, context_.maxBodySize)) {
      request.response().setStatusAndReason(Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
    }
    return new KmipHandler(context_, path == "/kmip" ? KmipHandler::Route::Kmip : KmipHandler::Route::Kmip21);
  }
  if (path == "/access/grant" || path == "/access/revoke") {
    if (!post) return methodNotAllowed(method, path, "POST");
    return new AccessHandler(context_,
                             path == "/access/grant" ? AccessHandler::Route::Grant : AccessHandler::Route::Revoke);
  }
  if (path == "/access/owned" || path == "/access/obtained") {
    if (!get) return methodNotAllowed(method, path, "GET");
    return new AccessHandler(context_,
                             path == "/access/owned" ? AccessHandler::Route::Owned : AccessHandler::Route::Obtained);
  }
  if (path.starts_with(kAccessList) && path.size() > kAccessList.size()) {
    if (!get) return methodNotAllowed(method, path, "GET");
    return new AccessHandler(context_, AccessHandler::Route::List, decoded(path.substr(kAccessList.size())));
  }
  if (path == "/me") return get ? new MeHandler(context_) : methodNotAllowed(method, path, "GET");
  if (path == "/tokens") {
    if (post) return new TokenHandler(context_, TokenHandler::Route::Issue);
    if (get) return new TokenHandler(context_, TokenHandler::Route::List);
    return methodNotAllowed(method, path, "GET, POST");
  }
  if (path.starts_with(kTokens) && path.size() > kTokens.size()) {
    if (method != Poco::Net::HTTPRequest::HTTP_DELETE) return methodNotAllowed(method, path, "DELETE");
    return new TokenHandler(context_, TokenHandler::Route::Revoke, decoded(path.substr(kTokens.size())));
  }
  if (path == "/hsm/status") return get ? new HsmStatusHandler(context_) : methodNotAllowed(method, path, "GET");
  if (path == "/metrics") return get ? new MetricsHandler(context_) : methodNotAllowed(method, path, "GET");
  if (path == "/admin/rewrap") return post ? new RewrapHandler(context_) : methodNotAllowed(method, path, "POST");
  if (path == "/version") return get ? new VersionHandler : methodNotAllowed(method, path, "GET");
  if (path == "/health") return get ? new HealthHandler(context_.store) : methodNotAllowed(method, path, "GET");
  return new StatusHandler(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "no such endpoint");
}

}  // namespace kms::http
