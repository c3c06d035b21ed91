#pragma once
// Who may do what, beyond "the owner may do everything" and per-object grants (which the
// store holds). Every role comes from the configuration, never from a user's name:
// - privileged_users empty: everyone may create objects and grant access on what they own;
//   nobody administers API tokens (the configuration refuses api_token_auth then).
// - privileged_users set: only they may create objects, grant and revoke access (on objects
//   they own) and administer API tokens.
// - hsm_admin (per HSM instance): creates keys on that HSM and grants their use (applied where
//   hsm:: UIDs are routed, ops/hsmkeys/HsmKeyAccess, ops/access/AccessRights and the re-wrap in
//   ops/wrapping/Rewrapper; privileged_users does not apply to them). The policy knows the
//   lists to compare users' rights and to open the operator routes to HSM admins.
// - the default user (default_username) is who every request is when no authentication method
//   is configured; it then reads the operator routes too. With authentication it is only a
//   name, but one that owns every object created while kmsd ran without authentication, so
//   nobody else may be issued a token for it.
// - GET /hsm/status and GET /metrics: privileged users, HSM admins and the users listed in
//   hsm_status_readers / metrics_readers ("*": every authenticated user); /metrics also any
//   loopback peer, unauthenticated, with metrics_loopback_unauthenticated.
// Rights are named by the lowercase KMIP operation without separators ("get",
// "getattributes", "signatureverify"); `allows` knows which right serves which operation.
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kms::auth {

class AccessPolicy {
 public:
  // The hsm_admin users of one HSM instance, named by its UID prefix ("hsm::softhsm2").
  struct HsmAdmins {
    std::string prefix;
    std::vector<std::string> users;
  };
  struct Settings {
    std::vector<std::string> privilegedUsers;
    std::string defaultUser = "admin";
    // False when no authentication method is configured: every request is the default user.
    bool authenticationConfigured = false;
    std::vector<HsmAdmins> hsmAdmins;
    std::vector<std::string> hsmStatusReaders;  // besides privileged users and HSM admins
    std::vector<std::string> metricsReaders;    // idem
    // GET /metrics from a loopback peer needs no authentication (a local scraper).
    bool metricsLoopbackUnauthenticated = false;
  };

  AccessPolicy() = default;
  AccessPolicy(std::vector<std::string> privilegedUsers, std::string defaultUser);
  explicit AccessPolicy(Settings settings);

  [[nodiscard]] bool mayCreate(const std::string& user) const;
  // Grant or revoke rights on an object owned by `owner`.
  [[nodiscard]] bool mayGrant(const std::string& user, const std::string& owner) const;
  // Issue, list and revoke API tokens: privileged users only.
  [[nodiscard]] bool isAdministrator(const std::string& user) const;
  [[nodiscard]] bool isPrivileged(const std::string& user) const;
  [[nodiscard]] bool isHsmAdmin(const std::string& user) const;
  [[nodiscard]] const std::vector<std::string>& privilegedUsers() const noexcept { return settings_.privilegedUsers; }

  // The roles `user` holds, by name: "privileged_users", "hsm_admin of hsm::softhsm2", ...,
  // "default_username". A token administrator may issue a token for `user` only when they
  // hold every role `user` holds: `rolesBeyond(user, issuer)` empty.
  [[nodiscard]] std::set<std::string> rolesOf(const std::string& user) const;
  // The roles `user` holds that `other` does not.
  [[nodiscard]] std::vector<std::string> rolesBeyond(const std::string& user, const std::string& other) const;

  [[nodiscard]] bool mayReadHsmStatus(const std::string& user) const;
  [[nodiscard]] bool mayReadMetrics(const std::string& user) const;
  [[nodiscard]] bool metricsOpenToLoopback() const noexcept { return settings_.metricsLoopbackUnauthenticated; }

  // True when rights `held` on an object allow `operation` (a right name). GetAttributes and
  // GetAttributeList are also allowed by "get" (reading the object includes its attributes).
  [[nodiscard]] static bool allows(const std::set<std::string>& held, std::string_view operation);
  // The right names /access/grant accepts.
  [[nodiscard]] static bool isRightName(std::string_view name);

 private:
  [[nodiscard]] bool operates(const std::string& user, const std::vector<std::string>& readers) const;

  Settings settings_;
};

}  // namespace kms::auth
