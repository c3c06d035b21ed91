#include "kms/http/AccessHandler.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/http/JsonExchange.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/RequestContext.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/ops/access/AccessRights.hpp"

namespace kms::http {
namespace {

constexpr std::size_t kMaxBody = std::size_t{64} * 1024;
constexpr std::size_t kMaxOperations = 64;

std::string enumName(std::string_view tag, std::uint32_t value) {
  const auto name = kmip::Dictionary::enumName(tag, value);
  return name ? std::string(*name) : fmt::format("0x{:08X}", value);
}

Poco::JSON::Array::Ptr operationsArray(const std::set<std::string>& operations) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const auto& operation : operations) array->add(operation);
  return array;
}

// The body of /access/grant and /access/revoke. The names are checked here too, to name the
// operation type as the client spelled it.
ops::access::AccessRights::Change readAccess(Poco::Net::HTTPServerRequest& request) {
  const auto body = JsonExchange::readObject(request, kMaxBody);
  ops::access::AccessRights::Change access;
  access.uid = JsonExchange::text(*body, "unique_identifier");
  access.user = JsonExchange::text(*body, "user_id");
  const auto operations = body->getArray("operation_types");
  if (!operations) throw Exception(ErrorCode::MissingData, "\"operation_types\" must be an array of operation names");
  if (operations->size() > kMaxOperations) throw Exception(ErrorCode::InvalidField, "too many operation types");
  for (std::size_t i = 0; i < operations->size(); ++i) {
    const auto& item = operations->get(static_cast<unsigned>(i));
    if (!item.isString()) throw Exception(ErrorCode::InvalidField, "\"operation_types\" must hold strings");
    std::string name = item.convert<std::string>();
    // Cosmian clients send the names lowercase; accept "Get" or "SignatureVerify" as well.
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::erase(name, '_');
    if (!auth::AccessPolicy::isRightName(name)) {
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("unknown operation type '{}'", item.convert<std::string>().substr(0, 40)));
    }
    access.operations.insert(std::move(name));
  }
  return access;  // an empty list: AccessRights says so
}

}  // namespace

AccessHandler::AccessHandler(const HandlerContext& context, Route route, std::string uid)
    : context_(context), route_(route), uid_(std::move(uid)) {}

void AccessHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  ops::access::AccessRights& rights = context_.processor.accessRights();

  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    const ops::RequestContext requester{user};
    switch (route_) {
      case Route::Grant:
      case Route::Revoke: {
        const bool grant = route_ == Route::Grant;
        const auto change = readAccess(request);
        if (grant) {
          rights.grant(requester, change);
        } else {
          rights.revoke(requester, change);
        }
        Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
        answer->set("success", fmt::format("Access for {} successfully {}", change.user, grant ? "added" : "deleted"));
        return answer;
      }
      case Route::List: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& grantee : rights.grants(requester, uid_)) {
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("user_id", grantee.user);
          item->set("operations", operationsArray(grantee.operations));
          list->add(item);
        }
        return list;
      }
      case Route::Owned: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& object : rights.owned(requester)) {
          Poco::JSON::Object::Ptr attributes = new Poco::JSON::Object;
          attributes->set("ObjectType", enumName("ObjectType", object.objectType));
          if (object.algorithm != 0) {
            attributes->set("CryptographicAlgorithm", enumName("CryptographicAlgorithm", object.algorithm));
          }
          if (object.length != 0) attributes->set("CryptographicLength", object.length);
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("object_id", object.uid);
          item->set("state", enumName("State", object.state));
          item->set("attributes", attributes);
          list->add(item);
        }
        return list;
      }
      case Route::Obtained: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& object : rights.obtained(requester)) {
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("object_id", object.uid);
          item->set("owner_id", object.owner);
          item->set("state", enumName("State", object.state));
          item->set("operations", operationsArray(object.operations));
          list->add(item);
        }
        return list;
      }
    }
    throw Exception(ErrorCode::InternalError, "unknown access route");
  });
}

}  // namespace kms::http
