#include "kms/http/RequestHandlerFactory.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <memory>
#include <string_view>

#include "kms/http/BodyReader.hpp"
#include "kms/http/HealthHandler.hpp"
#include "kms/http/KmipHandler.hpp"
#include "kms/http/LoggingHandler.hpp"
#include "kms/http/StatusHandler.hpp"
#include "kms/http/VersionHandler.hpp"

namespace kms::http {
namespace {

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

  if (path == "/kmip/2_1" || path == "/kmip") {
    if (!post) return methodNotAllowed(method, path, "POST");
    // Poco answers "Expect: 100-continue" only while the status is 200: a body declared too
    // large is refused before the client sends it.
    if (BodyReader::declaresMoreThan(request, context_.maxBodySize)) {
      request.response().setStatusAndReason(Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
    }
    return new KmipHandler(context_, path == "/kmip" ? KmipHandler::Route::Kmip : KmipHandler::Route::Kmip21);
  }
  if (path == "/version") return get ? new VersionHandler : methodNotAllowed(method, path, "GET");
  if (path == "/health") return get ? new HealthHandler(context_.store) : methodNotAllowed(method, path, "GET");
  return new StatusHandler(Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "no such endpoint");
}

}  // namespace kms::http
