#pragma once
// Who may do what, beyond "the owner may do everything" and per-object grants (which the
// store holds):
// - privileged_users empty: everyone may create objects and grant access on what they own;
//   the default user administers API tokens.
// - privileged_users set: only they may create objects, grant and revoke access (on objects
//   they own) and administer API tokens.
// Rights are named by the lowercase KMIP operation without separators ("get",
// "getattributes", "signatureverify"); `allows` knows which right serves which operation.
//
// HSM keys (DESIGN section 7) follow their own rule, applied where hsm:: UIDs are routed
// (ops/hsmkeys/HsmKeyAccess, http/AccessHandler): the `hsm_admin` users of an HSM instance are
// the only ones who create keys on it and grant its keys' operations; privileged_users does not
// apply to them.
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kms::auth {

class AccessPolicy {
 public:
  AccessPolicy() = default;
  AccessPolicy(std::vector<std::string> privilegedUsers, std::string defaultUser);

  [[nodiscard]] bool mayCreate(const std::string& user) const;
  // Grant or revoke rights on an object owned by `owner`.
  [[nodiscard]] bool mayGrant(const std::string& user, const std::string& owner) const;
  // Issue, list and revoke API tokens.
  [[nodiscard]] bool isAdministrator(const std::string& user) const;
  [[nodiscard]] bool isPrivileged(const std::string& user) const;
  [[nodiscard]] const std::vector<std::string>& privilegedUsers() const noexcept { return privileged_; }

  // True when rights `held` on an object allow `operation` (a right name). GetAttributes and
  // GetAttributeList are also allowed by "get" (reading the object includes its attributes).
  [[nodiscard]] static bool allows(const std::set<std::string>& held, std::string_view operation);
  // The right names /access/grant accepts.
  [[nodiscard]] static bool isRightName(std::string_view name);

 private:
  std::vector<std::string> privileged_;
  std::string defaultUser_ = "admin";
};

}  // namespace kms::auth
