#pragma once
// API token administration (administrators: privileged_users, or the default user when none
// are configured). Enabled by api_token_auth; otherwise these routes answer 400
// operation_not_supported.
//   POST   /tokens        {"user": "alice"} -> {"id", "user", "token"}  (the token, once)
//   GET    /tokens                          -> [{"id", "user", "created", "revoked"}]
//   DELETE /tokens/{id}                     -> {"success": "..."}
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class TokenHandler : public Poco::Net::HTTPRequestHandler {
 public:
  enum class Route { Issue, List, Revoke };

  TokenHandler(const HandlerContext& context, Route route, std::string id = {});
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
  const Route route_;
  const std::string id_;
};

}  // namespace kms::http
