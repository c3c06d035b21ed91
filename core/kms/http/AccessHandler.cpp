#include "kms/http/AccessHandler.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/http/JsonExchange.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::http {
namespace {

constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kMaxOperations = 64;

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.access");
  return instance;
}

// The same words ObjectRepository uses for a missing object, so the two cannot be told apart.
Exception notFound(const std::string& uid) {
  const std::string shown = uid.size() > 128 ? uid.substr(0, 128) + "..." : uid;
  return Exception(ErrorCode::NotFound, fmt::format("object '{}' not found", shown));
}

std::string enumName(std::string_view tag, std::uint32_t value) {
  const auto name = kmip::Dictionary::enumName(tag, value);
  return name ? std::string(*name) : fmt::format("0x{:08X}", value);
}

Poco::JSON::Array::Ptr operationsArray(const std::set<std::string>& operations) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const auto& operation : operations) array->add(operation);
  return array;
}

// An HSM key's grants are managed by its instance's hsm_admin users (DESIGN section 7) and keyed
// by its canonical UID (hsm::<instance>::<slot>::<key>), whichever form the request used. Anyone
// else, an unknown instance and a missing key get the answer of a missing object.
std::string hsmGrantUid(const HandlerContext& context, const std::string& user, const std::string& uid) {
  if (context.hsm == nullptr) throw notFound(uid);
  std::optional<hsm::HsmRoute> route;
  try {
    route = context.hsm->route(uid);
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::NotFound) throw notFound(uid);
    throw;
  }
  const auto& admins = route->instance->admins();
  if (std::find(admins.begin(), admins.end(), user) == admins.end()) throw notFound(uid);
  try {
    (void)route->instance->find(route->key());
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::NotFound) throw notFound(uid);
    throw;
  }
  return hsm::UidParser::format(route->instance->name(), route->uid.slot, route->uid.key);
}

struct AccessRequest {
  std::string uid;
  std::string user;
  std::set<std::string> operations;
};

AccessRequest readAccess(Poco::Net::HTTPServerRequest& request) {
  const auto body = JsonExchange::readObject(request, kMaxBody);
  AccessRequest access;
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
  if (access.operations.empty()) throw Exception(ErrorCode::MissingData, "\"operation_types\" is empty");
  return access;
}

}  // namespace

AccessHandler::AccessHandler(const HandlerContext& context, Route route, std::string uid)
    : context_(context), route_(route), uid_(std::move(uid)) {}

void AccessHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  static const auth::AccessPolicy kOpenPolicy;
  const auth::AccessPolicy& policy = context_.accessPolicy != nullptr ? *context_.accessPolicy : kOpenPolicy;
  store::ObjectStore& store = context_.store;

  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    switch (route_) {
      case Route::Grant:
      case Route::Revoke: {
        const bool grant = route_ == Route::Grant;
        const AccessRequest access = readAccess(request);
        if (hsm::UidParser::isHsmUid(access.uid)) {
          const std::string uid = hsmGrantUid(context_, user, access.uid);
          if (grant) {
            store.grant(uid, access.user, access.operations);
          } else {
            store.revoke(uid, access.user, access.operations);
          }
          logger().information(fmt::format("{} {} {} on {} by {}", grant ? "granted" : "revoked",
                                           fmt::join(access.operations, ","), access.user, uid, user));
          Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
          answer->set("success",
                      fmt::format("Access for {} successfully {}", access.user, grant ? "added" : "deleted"));
          return answer;
        }
        const auto object = store.get(access.uid);
        if (!object || object->owner != user) throw notFound(access.uid);
        if (!policy.mayGrant(user, object->owner)) {
          throw Exception(ErrorCode::PermissionDenied, "only privileged users may grant or revoke access");
        }
        if (access.user == object->owner) {
          throw Exception(ErrorCode::InvalidField, "the owner holds every right already");
        }
        if (grant) {
          store.grant(access.uid, access.user, access.operations);
        } else {
          store.revoke(access.uid, access.user, access.operations);
        }
        logger().information(fmt::format("{} {} {} on {} by {}", grant ? "granted" : "revoked",
                                         fmt::join(access.operations, ","), access.user, access.uid, user));
        Poco::JSON::Object::Ptr answer = new Poco::JSON::Object;
        answer->set("success", fmt::format("Access for {} successfully {}", access.user, grant ? "added" : "deleted"));
        return answer;
      }
      case Route::List: {
        std::string uid = uid_;
        if (hsm::UidParser::isHsmUid(uid_)) {
          uid = hsmGrantUid(context_, user, uid_);
        } else {
          const auto object = store.get(uid_);
          if (!object || object->owner != user) throw notFound(uid_);
        }
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& entry : store.listAccess(uid)) {
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("user_id", entry.user);
          item->set("operations", operationsArray(entry.operations));
          list->add(item);
        }
        return list;
      }
      case Route::Owned: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& uid : store.ownedBy(user)) {
          const auto object = store.get(uid);
          if (!object) continue;  // destroyed meanwhile
          Poco::JSON::Object::Ptr attributes = new Poco::JSON::Object;
          attributes->set("ObjectType", enumName("ObjectType", object->objectType));
          if (object->algorithm != 0) {
            attributes->set("CryptographicAlgorithm", enumName("CryptographicAlgorithm", object->algorithm));
          }
          if (object->length != 0) attributes->set("CryptographicLength", object->length);
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("object_id", uid);
          item->set("state", enumName("State", object->state));
          item->set("attributes", attributes);
          list->add(item);
        }
        return list;
      }
      case Route::Obtained: {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& [uid, operations] : store.obtainedBy(user)) {
          const auto object = store.get(uid);
          if (!object) continue;
          Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
          item->set("object_id", uid);
          item->set("owner_id", object->owner);
          item->set("state", enumName("State", object->state));
          item->set("operations", operationsArray(operations));
          list->add(item);
        }
        return list;
      }
    }
    throw Exception(ErrorCode::InternalError, "unknown access route");
  });
}

}  // namespace kms::http
