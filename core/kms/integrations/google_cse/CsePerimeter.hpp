#pragma once
// Google's perimeter: "optional additional checks performed on the authentication and
// authorization tokens" of a KACLS. kmsd offers the two Google names first: only users of
// allowlisted email domains, and never the blocklisted users (Workspace administrators, say,
// who could otherwise grant themselves a document and have it unwrapped). Applied to every call
// Google authorizes; the privileged routes have their own list (google_cse_privileged_users).
#include <string>
#include <vector>

namespace kms::integrations::google_cse {

class CsePerimeter {
 public:
  CsePerimeter(std::vector<std::string> allowedDomains, std::vector<std::string> blockedUsers);
  // Throws CseRefusal(403) for an email outside the allowed domains (when any is set) or
  // blocked; both compared without regard to case.
  void check(const std::string& email) const;

 private:
  std::vector<std::string> allowedDomains_;
  std::vector<std::string> blockedUsers_;
};

}  // namespace kms::integrations::google_cse
