#pragma once
// API token administration (administrators: privileged_users; never a user by its name).
// Enabled by api_token_auth; otherwise these routes answer 400 operation_not_supported. A
// token is issued only for a user whose roles (AccessPolicy::rolesOf: privileged_users,
// hsm_admin of each HSM, default_username) the issuer holds all of: 403 otherwise.
//   POST   /tokens        {"user": "alice"} -> {"id", "user", "token"}  (the token, once)
//   GET    /tokens                          -> [{"id", "user", "created", "revoked"}]
//   DELETE /tokens/{id}                     -> {"success": "..."}
#include <Poco/Dynamic/Var.h>
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

#include "kms/http/HandlerContext.hpp"

namespace kms::auth {
class AccessPolicy;
}

namespace kms::http {

class TokenHandler : public Poco::Net::HTTPRequestHandler {
 public:
  enum class Route { Issue, List, Revoke };

  TokenHandler(const HandlerContext& context, Route route, std::string id = {});
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  // The route's answer; handleRequest() audits issue and revoke around it.
  Poco::Dynamic::Var serve(const auth::AccessPolicy& policy, Poco::Net::HTTPServerRequest& request,
                           const std::string& user);

  const HandlerContext& context_;
  const Route route_;
  const std::string id_;
};

}  // namespace kms::http
