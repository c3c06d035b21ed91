#pragma once
// Cosmian KMS's access-rights REST routes:
//   POST /access/grant   {"unique_identifier", "user_id", "operation_types": ["get", ...]}
//   POST /access/revoke  (same body)               -> {"success": "..."}
//   GET  /access/list/{id}  owner only             -> [{"user_id", "operations": [...]}]
//   GET  /access/owned                             -> [{"object_id", "state", "attributes"}]
//   GET  /access/obtained                          -> [{"object_id", "owner_id", "state", "operations"}]
// JSON in and out only: who may do what (the owner, a privileged owner, an HSM key's hsm_admin;
// the same 404 for a caller who may not as for a missing object) is ops::access::AccessRights,
// reached through the RequestProcessor. "*" as user_id grants to everyone.
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class AccessHandler : public Poco::Net::HTTPRequestHandler {
 public:
  enum class Route { Grant, Revoke, List, Owned, Obtained };

  // `uid` is the {id} of /access/list/{id} (percent-decoded), empty for other routes.
  AccessHandler(const HandlerContext& context, Route route, std::string uid = {});
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
  const Route route_;
  const std::string uid_;
};

}  // namespace kms::http
