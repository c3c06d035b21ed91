#include "kms/integrations/ms_dke/DkeAuthorization.hpp"

#include <Poco/String.h>

#include <algorithm>

namespace kms::integrations::ms_dke {
namespace {

std::string normalized(const std::string& email) {
  return Poco::toLower(Poco::trim(email));
}

}  // namespace

DkeAuthorization::DkeAuthorization(const std::vector<std::string>& emails, std::vector<std::string> roles)
    : roles_(std::move(roles)) {
  for (const auto& email : emails) emails_.push_back(normalized(email));
}

bool DkeAuthorization::admits(const DkeCaller& caller) const {
  if (emails_.empty() && roles_.empty()) return true;
  if (!caller.email.empty() && std::find(emails_.begin(), emails_.end(), normalized(caller.email)) != emails_.end()) {
    return true;
  }
  return std::any_of(caller.roles.begin(), caller.roles.end(), [&](const std::string& role) {
    return std::find(roles_.begin(), roles_.end(), role) != roles_.end();
  });
}

}  // namespace kms::integrations::ms_dke
