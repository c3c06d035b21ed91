#include "kms/http/KmipHandler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>
#include <fmt/format.h>

#include <algorithm>
#include <exception>

#include "kms/Exception.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/http/Authenticator.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"
#include "kms/net/InflightBudget.hpp"
#include "kms/net/MessageLimits.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::http {
namespace {

Poco::Logger& logger() {
  // Logger::get locks a global registry: look it up once, not per request.
  static Poco::Logger& instance = Poco::Logger::get("kms.http");
  return instance;
}

}  // namespace

KmipHandler::KmipHandler(const HandlerContext& context, Route route) : context_(context), route_(route) {}

KmipHandler::Encoding KmipHandler::encodingOf(const Poco::Net::HTTPServerRequest& request) {
  std::string mediaType = request.getContentType();
  mediaType = Poco::toLower(Poco::trim(mediaType.substr(0, mediaType.find(';'))));
  if (mediaType.empty() || mediaType == "application/json") return Encoding::Json;
  if (mediaType == "application/octet-stream") return Encoding::Binary;
  throw Exception(ErrorCode::InvalidMessage, "unsupported Content-Type");  // answered 415 by serve()
}

void KmipHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  bool bodyRead = false;
  try {
    serve(request, response, bodyRead);
    return;
  } catch (const kms::Exception& error) {
    // Refused for want of memory before the body was read: do not wait for it either.
    const bool busy = error.code() == ErrorCode::Unavailable;
    if (!bodyRead && (busy || BodyReader::tooLargeToSkip(request))) response.setKeepAlive(false);
    ErrorResponse::send(response, error);
    return;
  } catch (const std::exception& error) {
    logger().error("%s %s: unexpected error: %s", request.getMethod(), request.getURI(), std::string(error.what()));
  } catch (...) {
    logger().error("%s %s: unexpected non-standard exception", request.getMethod(), request.getURI());
  }
  if (!bodyRead && BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
  ErrorResponse::sendInternal(response);
}

void KmipHandler::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                        bool& bodyRead) {
  // /kmip/2_1 reads any Content-Type as JSON (curl -d sends a form type); /kmip tells them apart.
  auto encoding = Encoding::Json;
  if (route_ == Route::Kmip) {
    try {
      encoding = encodingOf(request);
    } catch (const Exception&) {
      if (BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
      const std::string& mediaType = request.getContentType();
      ErrorResponse::sendStatus(
          response, Poco::Net::HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE,
          fmt::format("unsupported Content-Type '{}': send a RequestMessage as application/json (JSON TTLV) or "
                      "application/octet-stream (binary TTLV)",
                      mediaType.substr(0, 100)));
      return;
    }
  }
  ops::RequestContext requestContext{context_.authenticator.authenticate(request)};
  // For the audit log only (kms::audit): read when one is configured.
  if (audit::AuditLog::current() != nullptr) {
    requestContext.peer = request.clientAddress().host().toString();
    requestContext.transport = "http";
  }
  // Before the body: it holds what the body and its decoded tree take until the answer is sent.
  net::InflightBudget::Reservation reservation(context_.inflight);
  const std::string body = BodyReader::read(request, context_.maxBodySize, &reservation);
  bodyRead = true;

  const kmip::DecodeLimits limits = net::MessageLimits::of(context_.decodeLimits, body.size(), &reservation);
  const kmip::Ttlv ttlvRequest =
      encoding == Encoding::Binary
          ? kmip::BinaryCodec::decode(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()), limits)
          : kmip::JsonCodec::decode(body, limits);
  if (route_ == Route::Kmip && ttlvRequest.tag() != "RequestMessage") {
    throw Exception(ErrorCode::InvalidMessage, "POST /kmip takes a RequestMessage; send bare operations to /kmip/2_1");
  }
  const kmip::Ttlv ttlvResponse = context_.processor.process(ttlvRequest, requestContext);
  if (encoding == Encoding::Binary) {
    const auto bytes = kmip::BinaryCodec::encode(ttlvResponse);
    response.setContentType("application/octet-stream");
    response.sendBuffer(bytes.data(), bytes.size());
    return;
  }
  const std::string json = kmip::JsonCodec::encode(ttlvResponse);
  response.setContentType("application/json");
  response.sendBuffer(json.data(), json.size());
}

}  // namespace kms::http
