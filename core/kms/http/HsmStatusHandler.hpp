#pragma once
// GET /hsm/status (privileged users, HSM admins and hsm_status_readers; without authentication
// the default user; others 403): one entry per configured HSM instance, in configuration
// order, with a live probe of every slot (C_GetTokenInfo and a session, bounded by the
// instance's status timeout): {"prefix", "model", "available", ["error"], "slots": [{"slot_id",
// "accessible", ["token_label"], ["error"]}]}. Errors carry driver messages, never a PIN.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class HsmStatusHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit HsmStatusHandler(const HandlerContext& context);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
};

}  // namespace kms::http
