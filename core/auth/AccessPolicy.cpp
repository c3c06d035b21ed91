#include "kms/auth/AccessPolicy.hpp"

#include <algorithm>
#include <array>

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

}  // namespace

AccessPolicy::AccessPolicy(std::vector<std::string> privilegedUsers, std::string defaultUser)
    : privileged_(std::move(privilegedUsers)), defaultUser_(std::move(defaultUser)) {}

bool AccessPolicy::isPrivileged(const std::string& user) const {
  return std::find(privileged_.begin(), privileged_.end(), user) != privileged_.end();
}

bool AccessPolicy::mayCreate(const std::string& user) const {
  return privileged_.empty() || isPrivileged(user);
}

bool AccessPolicy::mayGrant(const std::string& user, const std::string& owner) const {
  return user == owner && (privileged_.empty() || isPrivileged(user));
}

bool AccessPolicy::isAdministrator(const std::string& user) const {
  return privileged_.empty() ? user == defaultUser_ : isPrivileged(user);
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
