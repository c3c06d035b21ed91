#include "kms/auth/AccessPolicy.hpp"

#include <algorithm>
#include <array>
#include <iterator>

namespace kms::auth {
namespace {

// Every KMIP 2.1 operation a right may name, lowercase without separators (Cosmian's
// KmipOperation names). Granting a right kmsd does not check yet is harmless; a typo is not.
constexpr std::array<std::string_view, 29> kRights{
    "create",           "createkeypair", "register",     "rekey",
    "rekeykeypair",     "derivekey",     "certify",      "recertify",
    "locate",           "check",         "get",          "getattributes",
    "getattributelist", "addattribute",  "setattribute", "modifyattribute",
    "deleteattribute",  "obtainlease",   "activate",     "revoke",
    "destroy",          "archive",       "recover",      "validate",
    "encrypt",          "decrypt",       "sign",         "signatureverify",
    "export",
};
constexpr std::array<std::string_view, 3> kMoreRights{"import", "mac", "macverify"};

bool contains(const std::vector<std::string>& users, const std::string& user) {
  return std::find(users.begin(), users.end(), user) != users.end();
}

}  // namespace

AccessPolicy::AccessPolicy(std::vector<std::string> privilegedUsers, std::string defaultUser) {
  settings_.privilegedUsers = std::move(privilegedUsers);
  settings_.defaultUser = std::move(defaultUser);
}

AccessPolicy::AccessPolicy(Settings settings) : settings_(std::move(settings)) {}

bool AccessPolicy::isPrivileged(const std::string& user) const {
  return contains(settings_.privilegedUsers, user);
}

bool AccessPolicy::isHsmAdmin(const std::string& user) const {
  return std::any_of(settings_.hsmAdmins.begin(), settings_.hsmAdmins.end(),
                     [&](const HsmAdmins& hsm) { return contains(hsm.users, user); });
}

bool AccessPolicy::mayCreate(const std::string& user) const {
  return settings_.privilegedUsers.empty() || isPrivileged(user);
}

bool AccessPolicy::mayGrant(const std::string& user, const std::string& owner) const {
  return user == owner && (settings_.privilegedUsers.empty() || isPrivileged(user));
}

// Configuration only: before, with no privileged_users, whoever was *named* like the default
// user administered tokens, and any token administrator could mint a token for that name.
bool AccessPolicy::isAdministrator(const std::string& user) const {
  return isPrivileged(user);
}

std::set<std::string> AccessPolicy::rolesOf(const std::string& user) const {
  std::set<std::string> roles;
  if (isPrivileged(user)) roles.insert("privileged_users");
  for (const auto& hsm : settings_.hsmAdmins) {
    if (contains(hsm.users, user)) roles.insert("hsm_admin of " + hsm.prefix);
  }
  if (user == settings_.defaultUser) roles.insert("default_username");
  return roles;
}

std::vector<std::string> AccessPolicy::rolesBeyond(const std::string& user, const std::string& other) const {
  if (user == other) return {};
  const auto mine = rolesOf(user);
  const auto theirs = rolesOf(other);
  std::vector<std::string> out;
  std::set_difference(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(out));
  return out;
}

bool AccessPolicy::operates(const std::string& user, const std::vector<std::string>& readers) const {
  // Without authentication the default user is every request, with every right kmsd has.
  if (!settings_.authenticationConfigured && user == settings_.defaultUser) return true;
  return isPrivileged(user) || isHsmAdmin(user) || contains(readers, user) || contains(readers, "*");
}

bool AccessPolicy::mayReadHsmStatus(const std::string& user) const {
  return operates(user, settings_.hsmStatusReaders);
}

bool AccessPolicy::mayReadMetrics(const std::string& user) const {
  return operates(user, settings_.metricsReaders);
}

bool AccessPolicy::allows(const std::set<std::string>& held, std::string_view operation) {
  if (held.contains(std::string(operation))) return true;
  return (operation == "getattributes" || operation == "getattributelist") && held.contains("get");
}

bool AccessPolicy::isRightName(std::string_view name) {
  return std::find(kRights.begin(), kRights.end(), name) != kRights.end() ||
         std::find(kMoreRights.begin(), kMoreRights.end(), name) != kMoreRights.end();
}

}  // namespace kms::auth
