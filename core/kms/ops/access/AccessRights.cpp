#include "kms/ops/access/AccessRights.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "kms/Exception.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/ErrorTable.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/ops/NotFound.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::access {
namespace {

constexpr std::size_t kShownRightName = 40;

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.access");
  return instance;
}

// The transport reads and normalises the names; a caller that did not gets the same answers.
void checkRights(const std::set<std::string>& operations) {
  for (const auto& name : operations) {
    if (!auth::AccessPolicy::isRightName(name)) {
      throw Exception(ErrorCode::InvalidField,
                      fmt::format("unknown operation type '{}'", name.substr(0, kShownRightName)));
    }
  }
  if (operations.empty()) throw Exception(ErrorCode::MissingData, "\"operation_types\" is empty");
}

// The audit line of a grant or revoke, refused or done (docs/audit.md).
audit::AuditEvent changeEvent(const RequestContext& requester, const AccessRights::Change& change, bool grant,
                              const Exception* error) {
  audit::AuditEvent event;
  event.type = grant ? "access.grant" : "access.revoke";
  event.user = requester.user;
  event.operation = grant ? "grant" : "revoke";
  event.uids.push_back(change.uid);
  event.requestId = requester.requestId;
  event.peer = requester.peer;
  event.transport = requester.transport;
  event.fields.emplace_back("grantee", change.user);
  event.fields.emplace_back("rights", fmt::format("{}", fmt::join(change.operations, ",")));
  if (error != nullptr) {
    event.result = error->code() == ErrorCode::PermissionDenied ? "denied" : "failure";
    event.reason = std::string(ErrorTable::lookup(error->code()).name);
    event.message = error->what();
  }
  return event;
}

}  // namespace

AccessRights::AccessRights(store::ObjectStore& store, const auth::AccessPolicy& policy, const hsm::HsmRegistry* hsms)
    : store_(store), policy_(policy), hsms_(hsms) {}

void AccessRights::grant(const RequestContext& requester, const Change& change) {
  this->change(requester, change, true);
}

void AccessRights::revoke(const RequestContext& requester, const Change& change) {
  this->change(requester, change, false);
}

void AccessRights::change(const RequestContext& requester, const Change& change, bool grant) {
  try {
    apply(requester, change, grant);
  } catch (const Exception& error) {
    try {
      audit::AuditLog::note(changeEvent(requester, change, grant, &error));
    } catch (const std::exception& auditError) {
      logger().error(fmt::format("audit: {}", auditError.what()));
    }
    throw;
  }
  audit::AuditLog::note(changeEvent(requester, change, grant, nullptr));
}

void AccessRights::apply(const RequestContext& requester, const Change& change, bool grant) {
  checkRights(change.operations);
  std::string uid;
  if (hsm::UidParser::isHsmUid(change.uid)) {
    // An HSM key has no owner in the store: its admins manage it, privileged or not.
    uid = hsmKeyUid(requester, change.uid);
  } else {
    const auto object = store_.get(change.uid);
    if (!object || object->owner != requester.user) throw notFound(change.uid);
    if (!policy_.mayGrant(requester.user, object->owner)) {
      throw Exception(ErrorCode::PermissionDenied, "only privileged users may grant or revoke access");
    }
    if (change.user == object->owner) throw Exception(ErrorCode::InvalidField, "the owner holds every right already");
    uid = change.uid;
  }
  if (grant) {
    store_.grant(uid, change.user, change.operations);
  } else {
    store_.revoke(uid, change.user, change.operations);
  }
  logger().information(fmt::format("{} {} {} on {} by {}", grant ? "granted" : "revoked",
                                   fmt::join(change.operations, ","), change.user, uid, requester.user));
}

std::vector<AccessRights::Grantee> AccessRights::grants(const RequestContext& requester, const std::string& uid) {
  std::vector<Grantee> out;
  for (auto& entry : store_.listAccess(managedUid(requester, uid))) {
    out.push_back(Grantee{std::move(entry.user), std::move(entry.operations)});
  }
  return out;
}

std::vector<AccessRights::OwnedObject> AccessRights::owned(const RequestContext& requester) {
  std::vector<OwnedObject> out;
  for (const auto& uid : store_.ownedBy(requester.user)) {
    const auto object = store_.get(uid);
    if (!object) continue;  // destroyed meanwhile
    out.push_back(OwnedObject{uid, object->state, object->objectType, object->algorithm, object->length});
  }
  return out;
}

std::vector<AccessRights::ObtainedObject> AccessRights::obtained(const RequestContext& requester) {
  std::vector<ObtainedObject> out;
  for (auto& [uid, operations] : store_.obtainedBy(requester.user)) {
    const auto object = store_.get(uid);
    if (!object) continue;  // destroyed meanwhile
    out.push_back(ObtainedObject{uid, object->owner, object->state, std::move(operations)});
  }
  return out;
}

std::string AccessRights::managedUid(const RequestContext& requester, const std::string& uid) {
  if (hsm::UidParser::isHsmUid(uid)) return hsmKeyUid(requester, uid);
  const auto object = store_.get(uid);
  if (!object || object->owner != requester.user) throw notFound(uid);
  return uid;
}

// An HSM key's grants are managed by its instance's hsm_admin users (DESIGN section 7). Anyone
// else, no HSM at all, an unknown instance and a missing key get the answer of a missing object.
std::string AccessRights::hsmKeyUid(const RequestContext& requester, const std::string& uid) const {
  if (hsms_ == nullptr) throw notFound(uid);
  std::optional<hsm::HsmRoute> route;
  try {
    route = hsms_->route(uid);
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::NotFound) throw notFound(uid);
    throw;
  }
  if (!route) throw notFound(uid);  // not an hsm:: UID (the callers checked that it is)
  const auto& admins = route->instance->admins();
  if (std::find(admins.begin(), admins.end(), requester.user) == admins.end()) throw notFound(uid);
  try {
    (void)route->instance->find(route->key());
  } catch (const Exception& e) {
    if (e.code() == ErrorCode::NotFound) throw notFound(uid);
    throw;
  }
  return hsm::UidParser::format(route->instance->name(), route->uid.slot, route->uid.key);
}

}  // namespace kms::ops::access
