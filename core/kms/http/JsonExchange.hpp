#pragma once
// JSON in and out for the REST routes (/access/*, /me, /tokens): what every one of them does
// first (authenticate, read a bounded body) and last (answer JSON, or an error text).
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <functional>
#include <string>

#include "kms/http/HandlerContext.hpp"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace kms::http {

class JsonExchange {
 public:
  // Runs `serve` and answers what it returns as JSON (200), or the error it throws as
  // ErrorResponse does (kms::Exception), or 500 (anything else, detail logged). `serve` gets
  // the authenticated user.
  static void run(const HandlerContext& context, Poco::Net::HTTPServerRequest& request,
                  Poco::Net::HTTPServerResponse& response,
                  const std::function<Poco::Dynamic::Var(const std::string& user)>& serve);
  // The request body as a JSON object. Throws kms::Exception(InvalidMessage/PayloadTooLarge).
  static Poco::JSON::Object::Ptr readObject(Poco::Net::HTTPServerRequest& request, std::size_t limit);
  // A required string member. Throws kms::Exception(MissingData/InvalidField).
  static std::string text(const Poco::JSON::Object& object, const std::string& member);
};

}  // namespace kms::http
