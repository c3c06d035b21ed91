#include "kms/http/HealthHandler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <exception>
#include <string_view>

#include "kms/store/ObjectStore.hpp"

namespace kms::http {

HealthHandler::HealthHandler(store::ObjectStore& store) : store_(store) {}

void HealthHandler::handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
  std::string_view body = R"({"status":"ok"})";
  try {
    store_.ping();
  } catch (const std::exception& error) {
    Poco::Logger::get("kms.http").warning("health check failed: %s", std::string(error.what()));
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
    body = R"({"status":"unavailable"})";
  }
  response.setContentType("application/json");
  response.sendBuffer(body.data(), body.size());
}

}  // namespace kms::http
