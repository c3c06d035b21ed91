#include "kms/http/JsonExchange.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <sstream>

#include "kms/Exception.hpp"
#include "kms/http/Authenticator.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"

namespace kms::http {

void JsonExchange::run(const HandlerContext& context, Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response,
                       const std::function<Poco::Dynamic::Var(const std::string& user)>& serve) {
  try {
    const std::string user = context.authenticator.authenticate(request);
    const Poco::Dynamic::Var answer = serve(user);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(answer, out);
    const std::string json = out.str();
    response.setContentType("application/json");
    response.sendBuffer(json.data(), json.size());
    return;
  } catch (const kms::Exception& error) {
    // The body may be unread (refused before reading it): it must not be taken for the next
    // request on this connection.
    if (BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
    ErrorResponse::send(response, error);
    return;
  } catch (const Poco::Exception& error) {
    Poco::Logger::get("kms.http")
        .error(fmt::format("{} {}: unexpected error: {}", request.getMethod(), request.getURI().substr(0, 100),
                           error.displayText()));
  } catch (const std::exception& error) {
    Poco::Logger::get("kms.http")
        .error(fmt::format("{} {}: unexpected error: {}", request.getMethod(), request.getURI().substr(0, 100),
                           error.what()));
  }
  if (BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
  ErrorResponse::sendInternal(response);
}

Poco::JSON::Object::Ptr JsonExchange::readObject(Poco::Net::HTTPServerRequest& request, std::size_t limit) {
  const std::string body = BodyReader::read(request, limit);
  Poco::JSON::Object::Ptr object;
  try {
    object = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    throw Exception(ErrorCode::InvalidMessage, "the body must be a JSON object");
  }
  if (!object) throw Exception(ErrorCode::InvalidMessage, "the body must be a JSON object");
  return object;
}

std::string JsonExchange::text(const Poco::JSON::Object& object, const std::string& member) {
  if (!object.has(member)) throw Exception(ErrorCode::MissingData, fmt::format("\"{}\" is missing", member));
  const auto& value = object.get(member);
  if (!value.isString()) throw Exception(ErrorCode::InvalidField, fmt::format("\"{}\" must be a string", member));
  std::string out = value.convert<std::string>();
  if (out.empty()) throw Exception(ErrorCode::InvalidField, fmt::format("\"{}\" must not be empty", member));
  for (char c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      throw Exception(ErrorCode::InvalidField, fmt::format("\"{}\" holds a control character", member));
    }
  }
  return out;
}

}  // namespace kms::http
