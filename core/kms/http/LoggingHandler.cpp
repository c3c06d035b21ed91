#include "kms/http/LoggingHandler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <chrono>
#include <exception>

#include "kms/http/ErrorResponse.hpp"

namespace kms::http {

LoggingHandler::LoggingHandler(std::unique_ptr<Poco::Net::HTTPRequestHandler> inner) : inner_(std::move(inner)) {}

void LoggingHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  // Logger::get locks a global registry: look it up once, not per request.
  static Poco::Logger& logger = Poco::Logger::get("kms.http");
  const auto started = std::chrono::steady_clock::now();
  try {
    inner_->handleRequest(request, response);
  } catch (const std::exception& error) {
    logger.error("%s %s: unexpected error: %s", request.getMethod(), request.getURI(), std::string(error.what()));
    response.setKeepAlive(false);
    ErrorResponse::sendInternal(response);
  } catch (...) {
    logger.error("%s %s: unexpected non-standard exception", request.getMethod(), request.getURI());
    response.setKeepAlive(false);
    ErrorResponse::sendInternal(response);
  }
  if (logger.debug()) {
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started;
    const std::string& uri = request.getURI();
    logger.debug(fmt::format("{} {} {} {:.2f}ms from {}", request.getMethod(), uri.substr(0, uri.find('?')),
                             static_cast<int>(response.getStatus()), elapsed.count(),
                             request.clientAddress().toString()));
  }
}

}  // namespace kms::http
