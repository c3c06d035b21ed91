#pragma once
// Cosmian KMS's access-rights REST routes:
//   POST /access/grant   {"unique_identifier", "user_id", "operation_types": ["get", ...]}
//   POST /access/revoke  (same body)               -> {"success": "..."}
//   GET  /access/list/{id}  owner only             -> [{"user_id", "operations": [...]}]
//   GET  /access/owned                             -> [{"object_id", "state", "attributes"}]
//   GET  /access/obtained                          -> [{"object_id", "owner_id", "state", "operations"}]
// Only the owner may grant and revoke (and, with privileged_users set, only a privileged
// owner). A caller who is not the owner gets the same 404 as for a missing object: these
// routes are no oracle for objects the caller may not see. "*" as user_id grants to everyone.
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
