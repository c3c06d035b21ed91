#include "kms/http/HsmStatusHandler.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/http/JsonExchange.hpp"

namespace kms::http {

HsmStatusHandler::HsmStatusHandler(const HandlerContext& context) : context_(context) {}

void HsmStatusHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  static const auth::AccessPolicy kOpenPolicy;
  const auth::AccessPolicy& policy = context_.accessPolicy != nullptr ? *context_.accessPolicy : kOpenPolicy;
  JsonExchange::run(context_, request, response, [&](const std::string& user) -> Poco::Dynamic::Var {
    // Slot ids and token labels describe the server's HSMs: operators only (AccessPolicy).
    if (!policy.mayReadHsmStatus(user)) {
      throw Exception(ErrorCode::PermissionDenied,
                      "only privileged users, hsm_admin users and hsm_status_readers may read /hsm/status");
    }
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    if (context_.hsm == nullptr) return list;
    for (const auto& instance : context_.hsm->instances()) {
      const auto status = instance->status();
      Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
      item->set("prefix", status.prefix);
      item->set("model", status.model);
      item->set("available", status.available);
      if (!status.available) item->set("error", status.reason);
      Poco::JSON::Array::Ptr slots = new Poco::JSON::Array;
      for (const auto& slot : status.slots) {
        Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
        s->set("slot_id", static_cast<Poco::UInt64>(slot.slot));
        s->set("accessible", slot.accessible);
        if (!slot.tokenLabel.empty()) s->set("token_label", slot.tokenLabel);
        if (!slot.accessible && !slot.reason.empty()) s->set("error", slot.reason);
        slots->add(s);
      }
      item->set("slots", slots);
      list->add(item);
    }
    return list;
  });
}

}  // namespace kms::http
