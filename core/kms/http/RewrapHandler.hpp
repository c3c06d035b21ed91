#pragma once
// POST /admin/rewrap {"from": "<hsm uid>", "to": "<hsm uid>", ["limit": N]}: key-encryption-key
// rotation (docs/wrapped-keys.md). Answers {"rewrapped", "failed", "remaining"}; call again
// until remaining is 0. Only an hsm_admin of both keys' HSMs may (403 otherwise, the same
// answer for an HSM instance that does not exist): ops::wrapping::Rewrapper decides that.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class RewrapHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RewrapHandler(const HandlerContext& context);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const HandlerContext& context_;
};

}  // namespace kms::http
