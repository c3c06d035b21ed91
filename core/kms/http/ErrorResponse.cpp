#include "kms/http/ErrorResponse.hpp"

#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include "kms/ErrorTable.hpp"

namespace kms::http {
namespace {

void sendText(Poco::Net::HTTPServerResponse& response, int status, const std::string& text) {
  if (response.sent()) return;  // too late: the connection closes with what was sent
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.setContentType("text/plain; charset=utf-8");
  response.sendBuffer(text.data(), text.size());
}

}  // namespace

void ErrorResponse::send(Poco::Net::HTTPServerResponse& response, const kms::Exception& error) {
  const ErrorInfo& info = ErrorTable::lookup(error.code());
  // A client that did not authenticate gets nothing more from this connection: what it still
  // sends is not waited for (HttpConnection closes), so that refusing it costs next to nothing.
  if (info.httpStatus == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED) response.setKeepAlive(false);
  // Busy or a backend away for a moment (RFC 9110 section 10.2.3).
  if (info.httpStatus == Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE) response.set("Retry-After", "1");
  sendText(response, info.httpStatus, fmt::format("{}: {}", info.name, error.what()));
}

void ErrorResponse::sendStatus(Poco::Net::HTTPServerResponse& response, int status, std::string_view message) {
  sendText(response, status, std::string(message));
}

void ErrorResponse::sendInternal(Poco::Net::HTTPServerResponse& response) {
  send(response, kms::Exception(ErrorCode::InternalError, "the server failed to process the request"));
}

}  // namespace kms::http
