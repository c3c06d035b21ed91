#include "kms/http/TokenHandler.hpp"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Timestamp.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kms/ErrorTable.hpp"
#include "kms/Exception.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/auth/ApiTokens.hpp"
#include "kms/http/JsonExchange.hpp"

namespace kms::http {
namespace {

constexpr std::size_t kMaxBody = std::size_t{16} * 1024;

std::string rfc3339(std::int64_t micros) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(micros), Poco::DateTimeFormat::ISO8601_FORMAT);
}

}  // namespace

TokenHandler::TokenHandler(const HandlerContext& context, Route route, std::string id)
    : context_(context), route_(route), id_(std::move(id)) {}

void TokenHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  static const auth::AccessPolicy kOpenPolicy;
  const auth::AccessPolicy& policy = context_.accessPolicy != nullptr ? *context_.accessPolicy : kOpenPolicy;
  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    if (route_ == Route::List) return serve(policy, request, user);
    // Issue and revoke are audited (docs/audit.md): the token's id and user, never the token.
    audit::AuditEvent event;
    event.type = route_ == Route::Issue ? "token.issue" : "token.revoke";
    event.user = user;
    event.operation = request.getMethod() + " /tokens";
    event.peer = request.clientAddress().host().toString();
    event.transport = "http";
    try {
      Poco::Dynamic::Var answer = serve(policy, request, user);
      if (route_ == Route::Issue) {
        const auto& object = answer.extract<Poco::JSON::Object::Ptr>();
        event.fields = {{"token_id", object->getValue<std::string>("id")},
                        {"token_user", object->getValue<std::string>("user")}};
      } else {
        event.fields = {{"token_id", id_}};
      }
      audit::AuditLog::note(std::move(event));
      return answer;
    } catch (const Exception& error) {
      event.result = error.code() == ErrorCode::PermissionDenied ? "denied" : "failure";
      event.reason = std::string(ErrorTable::lookup(error.code()).name);
      event.message = error.what();
      if (route_ == Route::Revoke) event.fields = {{"token_id", id_.substr(0, 64)}};
      try {
        audit::AuditLog::note(std::move(event));
      } catch (const std::exception& auditError) {
        Poco::Logger::get("kms.audit").error(auditError.what());
      }
      throw;
    }
  });
}

Poco::Dynamic::Var TokenHandler::serve(const auth::AccessPolicy& policy, Poco::Net::HTTPServerRequest& request,
                                       const std::string& user) {
  {
    if (context_.apiTokens == nullptr) {
      throw Exception(ErrorCode::OperationNotSupported, "API tokens are not enabled (api_token_auth)");
    }
    if (!policy.isAdministrator(user)) {
      throw Exception(ErrorCode::PermissionDenied, "only privileged users manage API tokens");
    }
    auto& logger = Poco::Logger::get("kms.auth");
    switch (route_) {
      case Route::Issue: {
        const auto body = JsonExchange::readObject(request, kMaxBody);
        const std::string owner = JsonExchange::text(*body, "user");
        // A token acts as its user: issuing one for a user with a role the issuer lacks (an
        // hsm_admin, another HSM's admin, the default user) would hand the issuer that role.
        const auto beyond = policy.rolesBeyond(owner, user);
        if (!beyond.empty()) {
          logger.warning(fmt::format("{} was refused an API token for {}, who holds {}", user, owner.substr(0, 128),
                                     fmt::join(beyond, ", ")));
          throw Exception(ErrorCode::PermissionDenied,
                          fmt::format("a token may not be issued for a user holding roles the issuer does not hold: {}",
                                      fmt::join(beyond, ", ")));
        }
        const auto issued = context_.apiTokens->issue(owner);
        logger.information(fmt::format("API token {} issued for {} by {}", issued.id, owner, user));
        Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
        answer->set("id", issued.id);
        answer->set("user", owner);
        answer->set("token", issued.token);
        return answer;
      }
      case Route::List: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& token : context_.apiTokens->list()) {
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("id", token.id);
          item->set("user", token.user);
          item->set("created", rfc3339(token.createdMicros));
          if (token.revokedMicros) item->set("revoked", rfc3339(*token.revokedMicros));
          list->add(item);
        }
        return list;
      }
      case Route::Revoke: {
        if (!context_.apiTokens->revoke(id_)) {
          throw Exception(ErrorCode::NotFound, fmt::format("no active API token '{}'", id_.substr(0, 64)));
        }
        logger.information(fmt::format("API token {} revoked by {}", id_, user));
        Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
        answer->set("success", fmt::format("API token {} revoked", id_));
        return answer;
      }
    }
    throw Exception(ErrorCode::InternalError, "unknown token route");
  }
}

}  // namespace kms::http
