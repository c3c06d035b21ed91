#include "kms/http/MeHandler.hpp"

#include <Poco/JSON/Object.h>

#include "kms/auth/AccessPolicy.hpp"
#include "kms/http/JsonExchange.hpp"

namespace kms::http {

MeHandler::MeHandler(const HandlerContext& context) : context_(context) {}

void MeHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  static const auth::AccessPolicy kOpenPolicy;
  const auth::AccessPolicy& policy = context_.accessPolicy != nullptr ? *context_.accessPolicy : kOpenPolicy;
  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
    answer->set("user_id", user);
    answer->set("has_create_permission", policy.mayCreate(user));
    answer->set("has_privileged_access", policy.isPrivileged(user));
    answer->set("is_token_admin", policy.isAdministrator(user));
    return answer;
  });
}

}  // namespace kms::http
