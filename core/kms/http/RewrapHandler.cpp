#include "kms/http/RewrapHandler.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/http/JsonExchange.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::http {
namespace {

// Only an hsm_admin of both keys' HSMs may re-wrap. A caller who is not learns nothing of the
// configuration: an unknown instance and one they do not administer answer alike (checked
// here, before the processor, which tells an admin about an unknown slot or key).
void requireAdminOfBoth(const hsm::HsmRegistry* hsms, const std::string& user,
                        std::initializer_list<const std::string*> uids) {
  if (hsms == nullptr || hsms->empty()) return;  // the processor answers "no HSM is configured"
  for (const auto* uid : uids) {
    // Without HsmRegistry::route: its exception for an unknown instance costs measurable time.
    const auto parsed = hsm::UidParser::parse(*uid);  // malformed: InvalidField, reveals nothing
    if (!parsed) throw Exception(ErrorCode::InvalidField, "from and to must be HSM keys (hsm::...)");
    const hsm::DriverInstance* instance = parsed->legacy() ? hsms->legacyInstance() : hsms->find(parsed->instance);
    const bool admin = instance != nullptr && std::find(instance->admins().begin(), instance->admins().end(), user) !=
                                                  instance->admins().end();
    if (!admin) {
      throw Exception(ErrorCode::PermissionDenied, "re-wrapping needs an hsm_admin of the HSMs of both keys");
    }
  }
}

}  // namespace

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
    requireAdminOfBoth(context_.hsm, user, {&from, &to});
    const auto result = context_.processor.rewrap(from, to, user, limit);
    Poco::Logger::get("kms.ops").information(
        fmt::format("{} re-wrapped {} keys from {} to {} ({} failed, {} remaining)", user, result.rewrapped, from, to,
                    result.failed, result.remaining));
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("rewrapped", static_cast<Poco::UInt64>(result.rewrapped));
    out->set("failed", static_cast<Poco::UInt64>(result.failed));
    out->set("remaining", static_cast<Poco::UInt64>(result.remaining));
    return out;
  });
}

}  // namespace kms::http
