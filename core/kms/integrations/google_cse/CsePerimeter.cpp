#include "kms/integrations/google_cse/CsePerimeter.hpp"

#include <Poco/String.h>

#include <algorithm>

#include "kms/integrations/google_cse/CseRefusal.hpp"

namespace kms::integrations::google_cse {

CsePerimeter::CsePerimeter(std::vector<std::string> allowedDomains, std::vector<std::string> blockedUsers)
    : allowedDomains_(std::move(allowedDomains)), blockedUsers_(std::move(blockedUsers)) {
  // "@example.com" and "example.com" name the same domain.
  for (auto& domain : allowedDomains_) {
    if (!domain.empty() && domain.front() == '@') domain.erase(0, 1);
  }
}

void CsePerimeter::check(const std::string& email) const {
  const auto same = [&](const std::string& other) { return Poco::icompare(other, email) == 0; };
  if (std::any_of(blockedUsers_.begin(), blockedUsers_.end(), same)) {
    throw CseRefusal(403, "the caller is outside this KACLS's perimeter", "google_cse_blocked_users lists the caller");
  }
  if (allowedDomains_.empty()) return;
  const auto at = email.rfind('@');
  const std::string domain = at == std::string::npos ? std::string() : email.substr(at + 1);
  const bool allowed = std::any_of(allowedDomains_.begin(), allowedDomains_.end(), [&](const std::string& d) {
    return !domain.empty() && Poco::icompare(d, domain) == 0;
  });
  if (!allowed) {
    throw CseRefusal(403, "the caller is outside this KACLS's perimeter",
                     "the caller's email domain is not in google_cse_allowed_domains");
  }
}

}  // namespace kms::integrations::google_cse
