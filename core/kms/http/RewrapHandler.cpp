#include "kms/http/RewrapHandler.hpp"

#include <Poco/JSON/Object.h>

#include "kms/Exception.hpp"
#include "kms/http/JsonExchange.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::http {

RewrapHandler::RewrapHandler(const HandlerContext& context) : context_(context) {}

void RewrapHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    const auto body = JsonExchange::readObject(request, 4096);
    const auto from = JsonExchange::text(*body, "from");
    const auto to = JsonExchange::text(*body, "to");
    std::size_t limit = 0;
    if (body->has("limit")) {
      const auto value = body->get("limit");
      if (!value.isInteger() || value.convert<long long>() < 0) {
        throw Exception(ErrorCode::InvalidField, "limit must be a non-negative integer");
      }
      limit = value.convert<std::size_t>();
    }
    const auto result = context_.processor.rewrap(from, to, user, limit);
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("rewrapped", static_cast<Poco::UInt64>(result.rewrapped));
    out->set("failed", static_cast<Poco::UInt64>(result.failed));
    out->set("remaining", static_cast<Poco::UInt64>(result.remaining));
    return out;
  });
}

}  // namespace kms::http
