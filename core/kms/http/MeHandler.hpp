#pragma once
// GET /me: who the server takes the caller for, and what the access policy lets them do.
//   {"user_id", "has_create_permission", "has_privileged_access", "is_token_admin"}
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class MeHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit MeHandler(const HandlerContext& context);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
};

}  // namespace kms::http
