#pragma once
// [ms_dke_config]'s policy on decryptions, as the reference service's email and role
// authorizers: with ms_dke_authorized_emails, the caller's email (or upn) must be listed (any
// case); with ms_dke_authorized_roles, one of its token's roles must be; with both, either
// suffices; with neither, the policy admits every authenticated caller. kmsd's own grants are
// checked besides, by the operations: the policy narrows who may decrypt, it never widens it.
#include <string>
#include <vector>

#include "kms/integrations/ms_dke/DkeCaller.hpp"

namespace kms::integrations::ms_dke {

class DkeAuthorization {
 public:
  DkeAuthorization(const std::vector<std::string>& emails, std::vector<std::string> roles);
  [[nodiscard]] bool admits(const DkeCaller& caller) const;

 private:
  std::vector<std::string> emails_;  // lower case, trimmed
  std::vector<std::string> roles_;
};

}  // namespace kms::integrations::ms_dke
