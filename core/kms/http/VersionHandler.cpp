#include "kms/http/VersionHandler.hpp"

#include <Poco/Net/HTTPServerResponse.h>

#include <string>

#include "kms/config/Version.hpp"

namespace kms::http {

void VersionHandler::handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
  // The version is digits and dots: quoting it is all JSON needs.
  static const std::string body = "\"" + std::string(config::kVersion) + "\"";
  response.setContentType("application/json");
  response.sendBuffer(body.data(), body.size());
}

}  // namespace kms::http
