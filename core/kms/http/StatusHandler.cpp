#include "kms/http/StatusHandler.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <utility>

#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"

namespace kms::http {

StatusHandler::StatusHandler(int status, std::string message, std::string allow)
    : status_(status), message_(std::move(message)), allow_(std::move(allow)) {}

void StatusHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  if (!allow_.empty()) response.set("Allow", allow_);
  // The body is not read: close rather than parse it as the next request.
  if (BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
  ErrorResponse::sendStatus(response, status_, message_);
}

}  // namespace kms::http
