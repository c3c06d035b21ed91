#pragma once
// The access-right operations (Cosmian's /access/* routes, and whatever else offers them: a
// CLI, a web UI): grant and revoke rights on an object, list an object's grants, list the
// objects a user owns and those granted to them. Every authorization rule of these operations
// lives here, the transport only maps its format to these calls:
// - a database object: only its owner may grant, revoke and list, and with privileged_users
//   set only a privileged owner may grant or revoke; the owner holds every right already;
// - an HSM key (hsm::...): its instance's hsm_admin users manage its grants, keyed by its
//   canonical UID (hsm::<instance>::<slot>::<key>) whichever form the request used;
// - anyone else, an unknown object, an unknown HSM instance and a missing HSM key all get the
//   same notFound(uid): these operations are no oracle for objects the caller may not see.
// "*" as the grantee grants to everyone.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "kms/ops/RequestContext.hpp"

namespace kms::store {
class ObjectStore;
}
namespace kms::hsm {
class HsmRegistry;
}
namespace kms::auth {
class AccessPolicy;
}

namespace kms::ops::access {

class AccessRights {
 public:
  // Rights `operations` (right names, auth::AccessPolicy::isRightName) of `user` on `uid`.
  struct Change {
    std::string uid;
    std::string user;
    std::set<std::string> operations;
  };
  // One grantee of an object and the rights it holds.
  struct Grantee {
    std::string user;
    std::set<std::string> operations;
  };
  // An object the requester owns; KMIP enumeration values, 0 when the object has none.
  struct OwnedObject {
    std::string uid;
    std::uint32_t state = 0;
    std::uint32_t objectType = 0;
    std::uint32_t algorithm = 0;
    std::int32_t length = 0;
  };
  // An object someone else owns and granted the requester rights on, by name (not through "*").
  struct ObtainedObject {
    std::string uid;
    std::string owner;
    std::uint32_t state = 0;
    std::set<std::string> operations;
  };

  // All three outlive this. `hsms` nullptr: kmsd runs without HSM (hsm:: UIDs are not found).
  AccessRights(store::ObjectStore& store, const auth::AccessPolicy& policy, const hsm::HsmRegistry* hsms);

  // Adds / removes the rights. NotFound (notFound(uid)) when the requester may not manage the
  // object's rights or it does not exist; PermissionDenied for an owner who is not privileged;
  // InvalidField when the grantee is the owner or a right name is unknown; MissingData when
  // `operations` is empty.
  void grant(const RequestContext& requester, const Change& change);
  void revoke(const RequestContext& requester, const Change& change);
  // The grants on `uid` (not its owner). NotFound as for grant().
  [[nodiscard]] std::vector<Grantee> grants(const RequestContext& requester, const std::string& uid);
  // The objects the requester owns (objects destroyed while listing are left out).
  [[nodiscard]] std::vector<OwnedObject> owned(const RequestContext& requester);
  // The objects others granted the requester rights on by name.
  [[nodiscard]] std::vector<ObtainedObject> obtained(const RequestContext& requester);

 private:
  // change() records the audit line (success or refusal) of what apply() does.
  void change(const RequestContext& requester, const Change& change, bool grant);
  void apply(const RequestContext& requester, const Change& change, bool grant);
  // The UID grants of `uid` are stored under, once the requester is known to manage them.
  [[nodiscard]] std::string managedUid(const RequestContext& requester, const std::string& uid);
  [[nodiscard]] std::string hsmKeyUid(const RequestContext& requester, const std::string& uid) const;

  store::ObjectStore& store_;
  const auth::AccessPolicy& policy_;
  const hsm::HsmRegistry* hsms_;
};

}  // namespace kms::ops::access
