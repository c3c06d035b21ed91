#include "kms/http/RestServiceHandler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <exception>

#include "kms/Exception.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"

namespace kms::http {
namespace {

// The origin the client used, for URLs the service hands back (DKE's key ids). The Host header
// is the client's word: services that must not trust it take a configured URL instead.
std::string originOf(const Poco::Net::HTTPServerRequest& request) {
  std::string host = request.getHost();
  if (host.empty() || host.size() > 255 || host.find_first_of("/\\ \t\r\n\"<>") != std::string::npos) {
    host = request.serverAddress().toString();
  }
  return fmt::format("{}://{}", request.secure() ? "https" : "http", host);
}

}  // namespace

RestServiceHandler::RestServiceHandler(net::RestService& service, std::string path)
    : service_(service), path_(std::move(path)) {}

void RestServiceHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  bool bodyRead = false;
  try {
    net::RestRequest call;
    call.method = request.getMethod();
    call.path = path_;
    call.authorization = request.get("Authorization", "");
    call.origin = originOf(request);
    call.peer = request.clientAddress().host().toString();
    call.body = BodyReader::read(request, service_.maxBodySize());
    bodyRead = true;
    const net::RestResponse answer = service_.serve(call);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    // A refused caller gets nothing more from this connection (as ErrorResponse does for 401).
    if (answer.status == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED) response.setKeepAlive(false);
    response.setContentType(answer.contentType);
    response.sendBuffer(answer.body.data(), answer.body.size());
    return;
  } catch (const kms::Exception& error) {
    if (!bodyRead && BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
    ErrorResponse::send(response, error);
    return;
  } catch (const std::exception& error) {
    Poco::Logger::get("kms.http")
        .error(fmt::format("{} {}: unexpected error: {}", request.getMethod(), request.getURI().substr(0, 100),
                           error.what()));
  }
  if (!bodyRead && BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
  ErrorResponse::sendInternal(response);
}

}  // namespace kms::http
